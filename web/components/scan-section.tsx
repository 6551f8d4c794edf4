import type { ScanEstimate } from '../../src/domain/scan-estimate.js';
import type { RunView } from '../../src/http/run-view.js';
import { formatCount, formatDuration } from '../format.js';

/** The time a full scan takes at the least, from the mailbox size and the Gmail quota. */
export function ScanEstimateNote({ estimate }: { estimate: ScanEstimate | undefined }) {
  if (!estimate) {
    return (
      <p class="note">
        How long a scan takes depends on the size of your mailbox, which Gmail did not tell us just
        now. Gmail lets one app read about 300 messages a minute from one mailbox, so a mailbox of
        100,000 messages takes at least five and a half hours.
      </p>
    );
  }
  const time =
    estimate.minutes < 1
      ? 'under a minute'
      : `at least ${formatDuration(estimate.minutes * 60_000)}`;
  return (
    <p class="note">
      <strong>Estimated time: {time}.</strong> Your mailbox holds about{' '}
      {formatCount(estimate.messages)} messages. Gmail allows{' '}
      {formatCount(estimate.userUnitsPerMinute)} quota units a minute for one mailbox and reading
      one message costs about {formatCount(estimate.unitsPerMessage)}, so about{' '}
      {formatCount(estimate.messagesPerMinute)} messages a minute. This is an estimate: the LLM and
      Gmail's own load can make it longer. You can close the page; the scan goes on.
    </p>
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
      {activeScan ? (
        <p>
          A full scan is under way.{' '}
          <a class="button" href={`/runs/${activeScan.id}`}>
            See its progress
          </a>
        </p>
      ) : (
        <>
          <ScanEstimateNote estimate={estimate} />
          <form method="post" action="/app/runs">
            <button type="submit" class="button primary" disabled={needsReconnect}>
              {hasScan ? 'Rerun full scan' : 'Start first full scan'}
            </button>
          </form>
        </>
      )}
    </section>
  );
}
