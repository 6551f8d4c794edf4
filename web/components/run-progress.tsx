import { isComingOfAge } from '../../src/domain/coming-of-age-log.js';
import type { RunView } from '../../src/http/run-view.js';
import { formatBytes, formatCount, formatUsd } from '../format.js';
import { formatUtc, type RunFigures } from '../run-figures.js';

export const STATUS_LABELS: Readonly<Record<string, string>> = {
  QUEUED: 'Waiting to start',
  PROCESSING: 'Scanning',
  REVIEW: 'Waiting for your review',
  DELETING: 'Finishing',
  DONE: 'Done',
  FAILED: 'Failed',
  CANCELLED: 'Cancelled',
};

const STATUS_TEXT: Readonly<Record<string, string>> = {
  QUEUED: 'The run is queued and starts shortly.',
  PROCESSING: 'Listing the mailbox and deciding, batch by batch, what goes to Trash.',
  REVIEW:
    "Every message is decided and nothing was moved: the proposal waits for its owner's review.",
  DELETING: 'Everything is listed; the last batches are being decided and moved to Trash.',
  DONE: 'Finished.',
  FAILED: 'The run stopped before the end: see the notes below.',
  CANCELLED: 'The run was cancelled.',
};

/** A scan waiting in line for the day's Gmail quota; web/static/run-status.js says the same. */
export function waitingText(startsAt: string): string {
  return `Waiting in line for Gmail's daily quota, which Google resets at midnight Pacific time: it starts at ${formatUtc(startsAt)}. New mail keeps being cleaned meanwhile.`;
}

function statusText(run: RunView, figures: RunFigures): string | undefined {
  if (figures.paused) return 'Paused: waiting for you (see the notes below).';
  if (run.undo === 'done') return 'Finished, then undone: its messages are out of Trash again.';
  if (run.startsAt !== null) return waitingText(run.startsAt);
  return STATUS_TEXT[run.status];
}

/** Gmail deletes mail for good this long after it went to Trash. */
const TRASH_KEPT_MS = 30 * 86_400_000;

/**
 * Mail in Trash still counts against the quota: the space is freed when Gmail empties Trash,
 * 30 days after the run (or at once if the owner empties Trash in Gmail).
 */
export function freedText(run: RunView): string {
  if (run.trashed === 0) return 'Nothing moved to Trash';
  if (run.undo !== 'none') return 'Nothing: the run was undone';
  if (run.endedAt === null) return 'Once Gmail empties Trash, 30 days after the run';
  const day = new Date(Date.parse(run.endedAt) + TRASH_KEPT_MS).toISOString().slice(0, 10);
  return `On ${day}, when Gmail empties Trash (now, if you empty it yourself)`;
}

export function kindLabel(run: Pick<RunView, 'kind' | 'errors'>): string {
  if (run.kind === 'full') return 'Full scan';
  return isComingOfAge(run) ? 'Came of age' : 'Automatic cleanup';
}

export function llmCost(run: RunView, final: boolean): string {
  if (run.llm.calls === 0) return final ? 'None (no OpenAI call)' : 'None so far';
  return `${formatUsd(run.llm.costUsd)} (${formatCount(run.llm.calls)} calls, estimated)`;
}

/**
 * The figures of a run. Elements with `data-field` are what web/static/run-status.js updates
 * from /api/runs/{id}; without JavaScript the page's meta refresh reloads them.
 */
export function RunProgress({ run, figures }: { run: RunView; figures: RunFigures }) {
  const percent = figures.percent;
  return (
    <section class="card" aria-labelledby="progress-heading" data-run-id={run.id}>
      <h2 id="progress-heading">Progress</h2>
      <p class="status-line" aria-live="polite">
        <span class="badge" data-field="status" data-status={run.status}>
          {figures.paused ? 'Paused' : (STATUS_LABELS[run.status] ?? run.status)}
        </span>{' '}
        <span data-field="statusText">{statusText(run, figures)}</span>
      </p>
      <div class="progress-row">
        <progress
          id="run-progress"
          data-field="progress"
          max="100"
          value={percent === null ? undefined : String(percent)}
          aria-label="Share of messages processed"
        >
          {percent === null ? 'unknown' : `${percent}%`}
        </progress>
        <span data-field="percent">{percent === null ? '…' : `${percent}%`}</span>
      </div>
      <dl class="figures">
        <div>
          <dt>Processed</dt>
          <dd>
            <span data-field="processed">{formatCount(run.processed)}</span>{' '}
            <span data-field="total">
              {run.total > 0 ? `of ${formatCount(run.total)}` : '(total not known yet)'}
            </span>
          </dd>
        </div>
        <div>
          <dt>Remaining</dt>
          <dd data-field="remaining">
            {run.total > 0 ? formatCount(run.remaining) : 'Not known yet'}
          </dd>
        </div>
        <div>
          <dt>Elapsed</dt>
          <dd data-field="elapsed">{figures.elapsed}</dd>
        </div>
        <div>
          <dt>Time left</dt>
          <dd data-field="eta">{figures.eta}</dd>
        </div>
        <div>
          <dt>Moved to Trash</dt>
          <dd data-field="trashed">{formatCount(run.trashed)}</dd>
        </div>
        <div>
          <dt>{run.bytesEstimated ? 'Size moved to Trash (estimated)' : 'Size moved to Trash'}</dt>
          <dd data-field="bytes">{formatBytes(run.bytesTrashed)}</dd>
        </div>
        <div>
          <dt>Freed</dt>
          <dd data-field="freed">{freedText(run)}</dd>
        </div>
        <div>
          <dt>Protected by a rule</dt>
          <dd data-field="protected">{formatCount(run.protected)}</dd>
        </div>
        <div>
          <dt>LLM cost</dt>
          <dd data-field="cost">{llmCost(run, figures.final)}</dd>
        </div>
      </dl>
    </section>
  );
}
