import type { RunView } from '../../src/http/run-view.js';
import { Layout } from '../layout.js';

export function DashboardPage({
  runs,
  needsReconnect,
}: {
  runs: readonly RunView[];
  needsReconnect: boolean;
}) {
  const hasScan = runs.some((r) => r.kind === 'full');
  return (
    <Layout title="Dashboard">
      <h1>Your mailbox</h1>
      {needsReconnect ? (
        <p role="alert">
          Google access has expired or was revoked. <a href="/auth/google">Sign in again</a> to
          continue.
        </p>
      ) : null}
      <form method="post" action="/app/runs">
        <button type="submit">{hasScan ? 'Rerun full scan' : 'Start first full scan'}</button>
      </form>
      <h2>Runs</h2>
      {runs.length === 0 ? (
        <p>No runs yet.</p>
      ) : (
        <ul>
          {runs.map((run) => (
            <li>
              <a href={`/runs/${run.id}`}>{run.scheduledAt}</a> {run.kind} {run.status}:{' '}
              {run.trashed} moved to Trash
            </li>
          ))}
        </ul>
      )}
      <p>
        <a href="/app/openai-key">OpenAI key</a>
      </p>
    </Layout>
  );
}
