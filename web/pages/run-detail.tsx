import type { ReviewPlan } from '../../src/domain/review-plan.js';
import type { RunView } from '../../src/http/run-view.js';
import type { SenderShare } from '../../src/http/sender-summary.js';
import { REVIEW_EXPIRES_MS } from '../../src/jobs/expire-review.js';
import { BarChart } from '../components/bar-chart.js';
import { ReviewSection } from '../components/review-section.js';
import { DecisionChart, RunAlert, RunNotes } from '../components/run-notes.js';
import { kindLabel, RunProgress } from '../components/run-progress.js';
import { When } from '../components/when.js';
import { formatBytes, plural } from '../format.js';
import { Layout } from '../layout.js';
import type { RunFigures } from '../run-figures.js';
import { STATUS_REFRESH_SECONDS } from './run-status.js';

function SenderChart({ senders }: { senders: readonly SenderShare[] }) {
  if (senders.length === 0) return null;
  const estimated = senders.some((s) => s.estimated);
  return (
    <section class="card" aria-labelledby="senders-heading">
      <h2 id="senders-heading">Moved to Trash, by sender</h2>
      <BarChart
        caption={`The senders whose mail this run moved to Trash, largest first. Only you see this page.${estimated ? ' Sizes marked "about" are averaged from the messages the scan read.' : ''} The space counts against your Gmail storage until Gmail empties Trash, 30 days later.`}
        labelHeader="Sender"
        valueHeader="Size moved to Trash"
        bars={senders.map((s) => ({
          label: s.sender,
          value: s.bytes,
          display: `${s.estimated ? 'about ' : ''}${formatBytes(s.bytes)} · ${plural(s.messages, 'message')}`,
        }))}
      />
    </section>
  );
}

/** Unsubscribe from the senders this run trashed most of (they join the always-trash list). */
function UnsubscribeSection({
  runId,
  senders,
}: {
  runId: string;
  senders: readonly SenderShare[];
}) {
  const named = senders.filter((s) => s.sender.includes('@') && !s.sender.includes(' '));
  if (named.length === 0) return null;
  return (
    <section class="card" aria-labelledby="unsubscribe-heading">
      <h2 id="unsubscribe-heading">Unsubscribe</h2>
      <p>
        Stop this mail at the source. For a sender that offers one-click unsubscribe, the service
        sends the request for you; for others you get the sender's own link. Either way the sender
        joins your always-trash list, so automatic cleanup trashes its new mail.
      </p>
      <ul class="keep-list">
        {named.map((s) => (
          <li>
            <span>{s.sender}</span>
            <form method="post" action={`/app/runs/${runId}/unsubscribe`} class="inline-form">
              <input type="hidden" name="sender" value={s.sender} />
              <button type="submit" class="link-button" aria-label={`Unsubscribe from ${s.sender}`}>
                Unsubscribe
              </button>
            </form>
          </li>
        ))}
      </ul>
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
  review,
}: {
  run: RunView;
  figures: RunFigures;
  senders: readonly SenderShare[];
  /** A review run's proposal, while it waits at REVIEW. */
  review?: ReviewPlan | undefined;
}) {
  // A review waits for its owner: reloading would clear the boxes they ticked.
  const waiting = run.status === 'REVIEW';
  const refresh = waiting
    ? undefined
    : !figures.final
      ? STATUS_REFRESH_SECONDS
      : run.undo === 'pending'
        ? 10
        : undefined;
  return (
    <Layout
      title={kindLabel(run)}
      signedIn
      refreshSeconds={refresh}
      scripts={figures.final || waiting ? [] : ['run-status.js']}
    >
      <h1>
        {kindLabel(run)} of <When at={run.startedAt ?? run.scheduledAt ?? 0} />
      </h1>
      <p class="lede">
        Anyone with the link to its <a href={`/runs/${run.id}`}>status page</a> can follow this
        run's progress; that page shows counts only, never senders or subjects.
      </p>
      {review ? null : <RunAlert run={run} figures={figures} />}
      <RunProgress run={run} figures={figures} />
      {review ? (
        <ReviewSection
          runId={run.id}
          plan={review}
          expiresAt={Date.parse(run.startedAt ?? run.scheduledAt ?? '') + REVIEW_EXPIRES_MS}
        />
      ) : null}
      <UndoSection run={run} final={figures.final} />
      {figures.final ? <SenderChart senders={senders} /> : null}
      {figures.final && run.undo === 'none' ? (
        <UnsubscribeSection runId={run.id} senders={senders} />
      ) : null}
      {figures.final ? <DecisionChart run={run} /> : null}
      <RunNotes run={run} />
      <p>
        <a href="/app">Back to your dashboard</a>
      </p>
    </Layout>
  );
}
