import type { RunView } from '../../src/http/run-view.js';
import type { SenderShare } from '../../src/http/sender-summary.js';
import { BarChart } from '../components/bar-chart.js';
import { DecisionChart, RunAlert, RunNotes } from '../components/run-notes.js';
import { kindLabel, RunProgress } from '../components/run-progress.js';
import { When } from '../components/when.js';
import { formatBytes, plural } from '../format.js';
import { Layout } from '../layout.js';
import type { RunFigures } from '../run-figures.js';
import { STATUS_REFRESH_SECONDS } from './run-status.js';

function SenderChart({ senders }: { senders: readonly SenderShare[] }) {
  if (senders.length === 0) return null;
  return (
    <section class="card" aria-labelledby="senders-heading">
      <h2 id="senders-heading">Storage freed by sender</h2>
      <BarChart
        caption="The senders whose mail this run moved to Trash, largest first. Only you see this page."
        labelHeader="Sender"
        valueHeader="Storage freed"
        bars={senders.map((s) => ({
          label: s.sender,
          value: s.bytes,
          display: `${formatBytes(s.bytes)} · ${plural(s.messages, 'message')}`,
        }))}
      />
    </section>
  );
}

function UndoSection({ run, final }: { run: RunView; final: boolean }) {
  if (!final || run.trashed === 0) return null;
  return (
    <section class="card" aria-labelledby="undo-heading">
      <h2 id="undo-heading">Undo</h2>
      {run.undo === 'done' ? (
        <p>This run is undone: its messages are back where they were (see the notes below).</p>
      ) : run.undo === 'pending' ? (
        <p role="status">
          Undo under way: {plural(run.trashed, 'message')} are being moved back out of Trash. This
          page reloads by itself.
        </p>
      ) : (
        <form method="post" action={`/app/runs/${run.id}/undo`}>
          <p>
            Moves the {plural(run.trashed, 'message')} this run put in Trash back where they were.
            Messages deleted from Trash since (by you, or by Gmail after 30 days) cannot come back.
            A later full scan may move them to Trash again.
          </p>
          <button type="submit" class="button">
            Undo this run
          </button>
        </form>
      )}
    </section>
  );
}

/** The owner's page for one run: the public figures, plus senders and undo. */
export function RunDetailPage({
  run,
  figures,
  senders,
}: {
  run: RunView;
  figures: RunFigures;
  senders: readonly SenderShare[];
}) {
  const refresh = !figures.final ? STATUS_REFRESH_SECONDS : run.undo === 'pending' ? 10 : undefined;
  return (
    <Layout
      title={kindLabel(run)}
      signedIn
      refreshSeconds={refresh}
      scripts={figures.final ? [] : ['run-status.js']}
    >
      <h1>
        {kindLabel(run)} of <When at={run.startedAt ?? run.scheduledAt ?? 0} />
      </h1>
      <p class="lede">
        Anyone with the link to its <a href={`/runs/${run.id}`}>status page</a> can follow this
        run's progress; that page shows counts only, never senders or subjects.
      </p>
      <RunAlert run={run} figures={figures} />
      <RunProgress run={run} figures={figures} />
      <UndoSection run={run} final={figures.final} />
      {figures.final ? <SenderChart senders={senders} /> : null}
      {figures.final ? <DecisionChart run={run} /> : null}
      <RunNotes run={run} />
      <p>
        <a href="/app">Back to your dashboard</a>
      </p>
    </Layout>
  );
}
