import type { DashboardModel } from '../../src/http/dashboard-model.js';
import { CleanupSection } from '../components/cleanup-section.js';
import { RunsTable } from '../components/runs-table.js';
import { ScanSection } from '../components/scan-section.js';
import { Layout } from '../layout.js';

/** Fixed messages after an action (the query names one; nothing from it is echoed). */
export const NOTICES: Readonly<Record<string, string>> = {
  key: 'Your OpenAI key is saved. Runs waiting for it go on by themselves.',
  rules: 'Simple rules will decide from now on; no OpenAI key is kept.',
  undo: 'Undo started: the messages are being moved back out of Trash.',
  'sync-busy': 'A run is under way: check for new mail again once it has finished.',
  'sync-none': 'No new mail to look at since the last check.',
  'sync-first': 'New mail is checked once your first full scan has finished.',
};

export function DashboardPage({
  model,
  now,
  notice,
}: {
  model: DashboardModel;
  now: number;
  notice?: string | undefined;
}) {
  const message = notice ? NOTICES[notice] : undefined;
  return (
    <Layout title="Dashboard" signedIn current="dashboard">
      <h1>Your mailbox</h1>
      {model.needsReconnect ? (
        <div class="alert" role="alert">
          <p>
            Google access has expired or was revoked. <a href="/auth/google">Sign in again</a> to
            continue.
          </p>
        </div>
      ) : null}
      {message ? (
        <p class="notice" role="status">
          {message}
        </p>
      ) : null}
      <ScanSection
        hasScan={model.hasScan}
        activeScan={model.activeScan}
        estimate={model.estimate}
        needsReconnect={model.needsReconnect}
        hasKey={model.hasKey}
      />
      <CleanupSection
        cleanup={model.cleanup}
        now={now}
        canCheck={model.hasScan && !model.needsReconnect}
      />
      <section class="card" aria-labelledby="runs-heading">
        <h2 id="runs-heading">Latest runs</h2>
        <RunsTable runs={model.runs} />
        <p class="muted">
          Open a run to see what it moved to Trash, by sender, and to undo it while Gmail still
          keeps the messages (30 days).
        </p>
      </section>
      <section class="card danger-zone" aria-labelledby="disconnect-heading">
        <h2 id="disconnect-heading">Disconnect and delete my data</h2>
        <p>
          Stops automatic cleanup, revokes this service's access to your Gmail at Google, and
          deletes everything kept about you: runs, decisions, your OpenAI key and your Google token.
          Mail already in Trash stays there (Gmail deletes it after 30 days); undo first if you want
          it back.
        </p>
        <form method="post" action="/app/disconnect">
          <p class="check">
            <input type="checkbox" id="confirm" name="confirm" value="yes" required />
            <label for="confirm">I understand that this deletes my data here for good.</label>
          </p>
          <button type="submit" class="button danger">
            Disconnect and delete my data
          </button>
        </form>
      </section>
    </Layout>
  );
}
