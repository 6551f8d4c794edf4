import { afterAll, beforeAll, beforeEach } from 'vitest';
import type { Run } from '../../src/domain/model.js';
import { SYNC_WINDOW_MS } from '../../src/jobs/job-deps.js';
import {
  envelope,
  PUSH_TOKEN,
  type ScannedUser,
  scannedService,
  waitFor,
} from './ongoing-cleanup.js';
import { type RunningGoogle, startSimulatedGoogle } from './simulated-google.js';

/**
 * One owner, fully scanned before the tests of the calling block, whose mailbox is then kept
 * clean from push notifications on `topic`; hands the simulated Google and the scanned service
 * to `use`, and gives what the sync tests read and send.
 */
export function pushSyncedOwnerForTests(
  owner: string,
  topic: string,
  use: (started: { google: RunningGoogle; scanned: ScannedUser }) => void,
) {
  let google: RunningGoogle;
  let scanned: ScannedUser;
  const account = () => google.google.account(owner);
  const calls = (method: 'users.history.list' | 'users.messages.get' | 'users.messages.list') =>
    google.google.stats.snapshot(owner).methods[method]?.calls ?? 0;
  const store = () => scanned.started.service.store;
  const user = async () => (await store().getUser(scanned.user.id))!;
  const incrementalRuns = async () =>
    (await store().listRuns(scanned.user.id, 100)).filter((r) => r.kind === 'incremental');

  beforeAll(async () => {
    google = await startSimulatedGoogle([{ email: owner, mailbox: { size: 300, seed: 9 } }], {
      userUnitsPerMinute: 10_000_000,
    });
    google.google.notifier.setTopic(topic, { kind: 'function', deliver: () => {} });
    scanned = await scannedService(google, owner, { PUBSUB_TOPIC: topic });
    use({ google, scanned });
  }, 60_000);
  afterAll(async () => {
    await scanned?.started.close();
    await google?.close();
  });
  beforeEach(() => google.google.stats.reset());

  const push = (historyId: number | string, messageId = '1') =>
    fetch(`${scanned.started.url}/push/gmail?token=${PUSH_TOKEN}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(envelope(owner, historyId, messageId)),
    });

  /** Waits for the start of a sync window, so a burst cannot straddle two windows. */
  async function windowStart(): Promise<void> {
    while (Date.now() % SYNC_WINDOW_MS > 300) await new Promise((r) => setTimeout(r, 20));
  }

  async function settledRuns(count: number): Promise<Run[]> {
    return waitFor(async () => {
      const runs = await incrementalRuns();
      const final = runs.filter((r) => ['DONE', 'CANCELLED', 'FAILED'].includes(r.status));
      return runs.length >= count && final.length === runs.length ? runs : undefined;
    }, `${count} incremental runs`);
  }

  return { account, calls, store, user, incrementalRuns, push, windowStart, settledRuns };
}

/** Tasks waiting, apart from a flush of the syncs' trash (at most one per user and window). */
export function pendingSyncs(queue: { pendingByPath(): Map<string, number> }): number {
  const byPath = queue.pendingByPath();
  byPath.delete('/tasks/flush-trash');
  return [...byPath.values()].reduce((sum, n) => sum + n, 0);
}
