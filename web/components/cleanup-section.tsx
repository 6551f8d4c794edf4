import type { CleanupState } from '../../src/http/dashboard-model.js';
import { formatBytes, formatCount, plural } from '../format.js';
import { When } from './when.js';

function WatchText({ watch, now }: { watch: CleanupState['watch']; now: number }) {
  if (!watch) return <>Not active yet</>;
  if (watch.expiration <= now) {
    return (
      <>
        Lapsed on <When at={watch.expiration} />; renewed daily
      </>
    );
  }
  return (
    <>
      Active until <When at={watch.expiration} /> (renewed daily)
    </>
  );
}

/**
 * Automatic cleanup: after the first full scan, Gmail tells the service about new mail and
 * each change is cleaned by a small run.
 */
export function CleanupSection({
  cleanup,
  now,
  canCheck,
}: {
  cleanup: CleanupState;
  now: number;
  /** A finished scan and working Google access: "Check new mail now" can run. */
  canCheck: boolean;
}) {
  const aged = cleanup.comingOfAge;
  return (
    <section class="card" aria-labelledby="cleanup-heading">
      <h2 id="cleanup-heading">Automatic cleanup</h2>
      {cleanup.since === null ? (
        <p>
          Starts by itself when your first full scan has finished: from then on, new mail is looked
          at as it arrives.
        </p>
      ) : null}
      <dl class="figures">
        <div>
          <dt>Gmail notifications</dt>
          <dd>
            <WatchText watch={cleanup.watch} now={now} />
          </dd>
        </div>
        <div>
          <dt>Last notification</dt>
          <dd>
            {cleanup.watch?.lastNotificationAt ? (
              <When at={cleanup.watch.lastNotificationAt} />
            ) : (
              'None yet'
            )}
          </dd>
        </div>
        <div>
          <dt>Last look at new mail</dt>
          <dd>{cleanup.lastSyncAt ? <When at={cleanup.lastSyncAt} /> : 'Not yet'}</dd>
        </div>
        <div>
          <dt>
            Cleaned since {cleanup.since === null ? 'the first scan' : <When at={cleanup.since} />}
          </dt>
          <dd>
            {cleanup.since === null ? (
              'Nothing yet'
            ) : (
              <>
                {cleanup.atLeast ? 'At least ' : ''}
                {plural(cleanup.trashed, 'message')} (
                <span class="nowrap">{formatBytes(cleanup.bytes)}</span>) in{' '}
                {plural(cleanup.runs, 'automatic run')}
              </>
            )}
          </dd>
        </div>
        <div>
          <dt>Came of age</dt>
          <dd data-testid="came-of-age">
            {aged.lastAt === null ? (
              'Mail kept for being too young is looked at again daily once old enough'
            ) : (
              <>
                {plural(aged.trashed, 'message')} (
                <span class="nowrap">{formatBytes(aged.bytes)}</span>) in {formatCount(aged.runs)}{' '}
                daily {aged.runs === 1 ? 'pass' : 'passes'}, the last <When at={aged.lastAt} />
              </>
            )}
          </dd>
        </div>
      </dl>
      {canCheck ? (
        <form method="post" action="/app/sync">
          <button type="submit" class="button">
            Check new mail now
          </button>
        </form>
      ) : null}
    </section>
  );
}
