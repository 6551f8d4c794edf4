import { PAUSE_MESSAGES } from '../../src/domain/classifier-errors.js';
import type { RunView } from '../../src/http/run-view.js';
import { formatBytes, formatCount } from '../format.js';
import type { RunFigures } from '../run-figures.js';
import { type Bar, BarChart } from './bar-chart.js';
import { When } from './when.js';

/**
 * What needs the reader, in plain words: a paused run waits for a new OpenAI key, a failed
 * one for a new sign-in. The links lead to sign-in first for a reader who is not signed in.
 */
export function RunAlert({ run, figures }: { run: RunView; figures: RunFigures }) {
  const latest = run.errors.at(-1)?.message;
  if (figures.paused && latest) {
    return (
      <div class="alert" role="alert">
        <p>{latest}</p>
        <p>
          {latest === PAUSE_MESSAGES.spend_cap ? (
            <a href="/app/settings#spend-cap">Raise your monthly spend cap</a>
          ) : (
            <a href="/app/openai-key">Update your OpenAI key</a>
          )}
        </p>
      </div>
    );
  }
  if (run.status === 'REVIEW') {
    return (
      <div class="alert" role="alert">
        <p>Every message is decided and nothing has moved to Trash yet.</p>
        <p>
          <a href={`/app/runs/${run.id}`}>Review the proposal</a> and choose what to keep.
        </p>
      </div>
    );
  }
  if (run.status === 'FAILED') {
    return (
      <div class="alert" role="alert">
        <p>{latest ?? 'The run stopped before the end.'}</p>
        <p>
          <a href="/auth/google">Sign in again</a>, then start a new full scan from your dashboard.
        </p>
      </div>
    );
  }
  return null;
}

/** The run's log: plain words, no personal data (what the Store's error log holds). */
export function RunNotes({ run }: { run: RunView }) {
  return (
    <section class="card" aria-labelledby="notes-heading">
      <h2 id="notes-heading">Notes</h2>
      <ul
        class="notes"
        data-field="notes"
        data-version={`${run.errors.length}|${run.errors.at(-1)?.at ?? ''}`}
      >
        {run.errors.length === 0 ? (
          <li class="muted">Nothing to report.</li>
        ) : (
          run.errors.map((e) => (
            <li>
              {e.at ? <When at={e.at} /> : null} <span>{e.message}</span>
            </li>
          ))
        )}
      </ul>
    </section>
  );
}

/**
 * What happened to each message of a finished run. Decision kinds only, no sender and no
 * reason text (reasons can name senders), so it is safe on the public status page.
 */
export function DecisionChart({ run }: { run: RunView }) {
  const rows: [string, number][] = [
    ['Moved to Trash', run.trashed],
    ['Protected by a rule', run.protected],
    ['Kept', run.kept],
    ['Could not be decided (kept)', run.failed],
    ['No longer in the mailbox', run.gone],
  ];
  const bars: Bar[] = rows
    .filter(([, value]) => value > 0)
    .map(([label, value]) => ({ label, value, display: formatCount(value) }));
  if (bars.length === 0) return null;
  return (
    <section class="card" aria-labelledby="decisions-heading">
      <h2 id="decisions-heading">What happened to each message</h2>
      <BarChart
        caption={`${formatCount(run.processed)} messages decided; ${formatBytes(run.bytesTrashed)} moved to Trash.`}
        labelHeader="Decision"
        valueHeader="Messages"
        bars={bars}
      />
    </section>
  );
}
