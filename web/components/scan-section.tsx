import type { ScanEstimate } from '../../src/domain/scan-estimate.js';
import type { RunView } from '../../src/http/run-view.js';
import { formatCount, formatDuration } from '../format.js';
import { waitingText } from './run-progress.js';

/**
 * How long a full scan takes at most, from the mailbox size and the Gmail quota: the time to
 * read every message. Scanning by sender lists most mail with search and reads samples only,
 * so it usually takes a fraction of that; the page says both.
 */
export function ScanEstimateNote({ estimate }: { estimate: ScanEstimate | undefined }) {
  if (!estimate) {
    return (
      <p class="note">
        How long a scan takes depends on the size of your mailbox, which Gmail did not tell us just
        now. Gmail lets one app read about 300 messages a minute from one mailbox. The scan lists
        mail by sender with Gmail search and reads only samples where it can, so most mailboxes take
        minutes, not the hours reading every message would.
      </p>
    );
  }
  const time =
    estimate.minutes < 1
      ? 'under a minute'
      : `at most ${formatDuration(estimate.minutes * 60_000)}`;
  return (
    <p class="note">
      <strong>Estimated time: {time}.</strong> Your mailbox holds about{' '}
      {formatCount(estimate.messages)} messages. Gmail allows{' '}
      {formatCount(estimate.userUnitsPerMinute)} quota units a minute for one mailbox and reading
      one message costs about {formatCount(estimate.unitsPerMessage)}, so reading every message goes
      at about {formatCount(estimate.messagesPerMinute)} a minute. The scan lists mail by sender
      with Gmail search and reads only samples where it can, so it usually finishes well before
      that. You can close the page; the scan goes on.
    </p>
  );
}

/**
 * The first scan proposes before it trashes (a review); a rerun offers both ways. A review
 * waiting for its owner is cancelled by a new scan, so the buttons stay offered.
 */
function ScanButtons({ hasScan, disabled }: { hasScan: boolean; disabled: boolean }) {
  if (!hasScan) {
    return (
      <form method="post" action="/app/runs">
        <input type="hidden" name="mode" value="review" />
        <p class="muted">
          The first scan moves nothing: it shows you what it would move to Trash, by sender, and you
          choose what to keep before anything moves.
        </p>
        <button type="submit" class="button primary" disabled={disabled}>
          Start first full scan
        </button>
      </form>
    );
  }
  return (
    <div class="scan-buttons">
      <form method="post" action="/app/runs">
        <input type="hidden" name="mode" value="review" />
        <button type="submit" class="button primary" disabled={disabled}>
          Rerun full scan with review
        </button>
      </form>
      <form method="post" action="/app/runs">
        <input type="hidden" name="mode" value="auto" />
        <button type="submit" class="button" disabled={disabled}>
          Rerun full scan and trash right away
        </button>
      </form>
    </div>
  );
}

export function ScanSection({
  hasScan,
  activeScan,
  estimate,
  needsReconnect,
  hasKey,
}: {
  hasScan: boolean;
  activeScan: RunView | undefined;
  estimate: ScanEstimate | undefined;
  needsReconnect: boolean;
  hasKey: boolean;
}) {
  return (
    <section class="card" aria-labelledby="scan-heading">
      <h2 id="scan-heading">Full scan</h2>
      <p>
        A full scan looks at every message outside Spam and Trash once and moves the disposable ones
        to Trash. Starred, sent, drafts, chats, labelled mail and threads you replied to are never
        touched. Decisions are made by{' '}
        {hasKey ? 'OpenAI with your key' : 'simple rules (no OpenAI key)'}:{' '}
        <a href="/app/openai-key">{hasKey ? 'replace the key' : 'add a key'}</a>.
      </p>
      {activeScan?.status === 'REVIEW' ? (
        <>
          <p>
            A full scan has decided everything and waits for your review: nothing moves to Trash
            until you apply it.{' '}
            <a class="button primary" href={`/app/runs/${activeScan.id}`}>
              Review the proposal
            </a>
          </p>
          <p class="muted">A new full scan discards this review; nothing of it moves to Trash.</p>
          <ScanButtons hasScan={true} disabled={needsReconnect} />
        </>
      ) : activeScan?.startsAt ? (
        <p>
          {waitingText(activeScan.startsAt)}{' '}
          <a class="button" href={`/runs/${activeScan.id}`}>
            See its status
          </a>
        </p>
      ) : activeScan ? (
        <p>
          A full scan is under way.{' '}
          <a class="button" href={`/runs/${activeScan.id}`}>
            See its progress
          </a>
        </p>
      ) : (
        <>
          <ScanEstimateNote estimate={estimate} />
          <ScanButtons hasScan={hasScan} disabled={needsReconnect} />
        </>
      )}
    </section>
  );
}
