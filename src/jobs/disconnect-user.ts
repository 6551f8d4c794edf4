import { FINAL_STATUSES } from '../domain/model.js';
import type { KeyRing } from '../domain/ports.js';
import { open } from '../domain/sealing.js';
import type { JobDeps } from './job-deps.js';
import { releaseFullScan } from './scan-admission.js';

export interface DisconnectDeps extends JobDeps {
  readonly keyRing: KeyRing;
  /** Revokes a refresh token at Google; false when Google could not be reached or refused. */
  readonly revoke: (refreshToken: string) => Promise<boolean>;
}

export interface Disconnected {
  /** Whether Google confirmed the revocation (the page tells the user what to do if not). */
  readonly revoked: boolean;
}

/** How long the Gmail stop call may take before the disconnect goes on without it. */
const STOP_TIMEOUT_MS = 10_000;

/**
 * Disconnect: stop the unfinished runs (their tasks end at their next check), stop the Gmail
 * watch, revoke the token at Google, then delete every record of the user. Each step that
 * talks to Google may fail without stopping the next: the data is deleted in any case.
 */
export async function disconnectUser(deps: DisconnectDeps, userId: string): Promise<Disconnected> {
  const { store, clock, log } = deps;
  const user = await store.getUser(userId);
  if (!user) return { revoked: true };

  for (const run of await store.listRuns(userId, 100)) {
    if (FINAL_STATUSES.includes(run.status)) continue;
    await store.updateRun(run.id, ['QUEUED', 'PROCESSING', 'REVIEW', 'DELETING'], {
      status: 'CANCELLED',
      endedAt: clock.now(),
    });
    // What a full scan was admitted with goes to the scans waiting in line.
    await releaseFullScan(deps, run).catch((error: unknown) => {
      log.warn('daily quota promise not given back', { runId: run.id, error });
    });
  }

  // Gmail may still hold a watch the store no longer records (dropped when access was revoked,
  // before a sync after the next sign-in registered it again): with a topic, always stop.
  const watched = user.watch !== null || deps.watchTopic !== undefined;
  if (watched && user.refreshToken && !user.needsReconnect) {
    try {
      const mailbox = await deps.mailboxFor(user);
      await withTimeout(mailbox.stop(), STOP_TIMEOUT_MS);
    } catch (error) {
      log.warn('gmail watch not stopped on disconnect', { reason: errorName(error) });
    }
  }

  let revoked = false;
  if (user.refreshToken) {
    try {
      revoked = await deps.revoke(await open(deps.keyRing, user.refreshToken, user.id));
    } catch (error) {
      log.warn('token not revoked on disconnect', { reason: errorName(error) });
    }
  } else {
    revoked = true;
  }

  await store.deleteUser(userId);
  log.info('user disconnected and deleted', { revoked });
  return { revoked };
}

function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('timed out')), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

/** The error's name only: Google's messages can carry the mailbox address. */
function errorName(error: unknown): string {
  return error instanceof Error ? error.name : 'unknown error';
}
