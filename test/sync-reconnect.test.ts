import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Run } from '../src/domain/model.js';
import {
  pauseReasonOf,
  RECONNECTED_MESSAGE,
  RUN_PAUSE_MESSAGES,
} from '../src/domain/run-pauses.js';
import { Random } from '../src/local/google/random.js';
import type { SimMessage } from '../src/local/google/sim-types.js';
import { signIn } from './helpers/local-service.js';
import {
  disposable,
  envelope,
  inTrash,
  PUSH_TOKEN,
  personal,
  type ScannedUser,
  scannedService,
  waitFor,
} from './helpers/ongoing-cleanup.js';
import { type RunningGoogle, startSimulatedGoogle } from './helpers/simulated-google.js';
import { auditRun } from './reliability/mailbox-truth.js';

const OWNER = 'sync-revoked@example.com';
/** Slow enough that the grant is revoked while the claimed batch is still being decided. */
const SLOW_GMAIL_MS = 1_500;

/**
 * An incremental run claims its messages when its batches are saved (the history cursor moves
 * past them): if the Google grant is revoked before they are decided, the run must wait for the
 * next sign-in, never fail, or its messages would never be looked at.
 */
describe('a sync whose Google grant is revoked after it claimed new messages', () => {
  let google: RunningGoogle;
  let scanned: ScannedUser;
  const rng = new Random(4_242);
  const store = () => scanned.started.service.store;
  const incrementalRuns = async () =>
    (await store().listRuns(scanned.user.id, 100)).filter((r) => r.kind === 'incremental');

  beforeAll(async () => {
    google = await startSimulatedGoogle([{ email: OWNER, mailbox: { size: 200, seed: 11 } }], {
      userUnitsPerMinute: 10_000_000,
    });
    scanned = await scannedService(google, OWNER, {});
  }, 60_000);
  afterAll(async () => {
    await scanned?.started.close();
    await google?.close();
  });

  const push = () =>
    fetch(`${scanned.started.url}/push/gmail?token=${PUSH_TOKEN}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(envelope(OWNER, google.google.account(OWNER).historyId)),
    });

  /** New mail, a notification, and the grant revoked once a sync has claimed the mail. */
  async function revokedAfterClaim(): Promise<{ run: Run; delivered: SimMessage[] }> {
    const before = new Set((await incrementalRuns()).map((r) => r.id));
    const delivered = [
      disposable(rng, OWNER),
      disposable(rng, OWNER),
      personal(rng, OWNER),
      disposable(rng, OWNER),
    ];
    for (const message of delivered) google.google.deliver(OWNER, message);
    google.google.faults.inject({
      kind: 'latency',
      ms: SLOW_GMAIL_MS,
      methods: ['users.messages.get', 'users.messages.batchModify', 'users.threads.list'],
    });
    expect((await push()).status).toBe(204);
    const claimed = await waitFor(
      async () => (await incrementalRuns()).find((r) => !before.has(r.id) && r.startedAt !== null),
      'a sync to claim the new mail',
    );
    google.google.oauth.revokeAccount(OWNER);
    const run = await waitFor(async () => {
      const current = await store().getRun(claimed.id);
      return current && pauseReasonOf(current.errors) === 'google_access' ? current : undefined;
    }, 'the run to pause');
    google.google.faults.clear();
    return { run, delivered };
  }

  it('pauses the run, and a new sign-in resumes it: every claimed message is decided once', async () => {
    const { run, delivered } = await revokedAfterClaim();
    expect(['PROCESSING', 'DELETING']).toContain(run.status);
    expect(run.errors.at(-1)?.message).toBe(RUN_PAUSE_MESSAGES.google_access);
    const user = (await store().getUser(scanned.user.id))!;
    expect(user.needsReconnect).toBe(true);
    // The cursor is past the messages: only this run can still decide them.
    expect(BigInt(user.cursor!.historyId)).toBeGreaterThan(BigInt(run.startHistoryId!));

    // However long the owner takes, the run waits: no task, no failure.
    await scanned.started.service.queue.idle();
    expect(scanned.started.service.queue.counts()).toMatchObject({ pending: 0, running: 0 });
    expect((await store().getRun(run.id))?.status).toBe(run.status);

    await signIn(scanned.started.client);
    const done = await waitFor(async () => {
      const current = await store().getRun(run.id);
      return current?.status === 'DONE' ? current : undefined;
    }, 'the resumed run to finish');
    expect(done.errors.map((e) => e.message)).toEqual(
      expect.arrayContaining([RUN_PAUSE_MESSAGES.google_access, RECONNECTED_MESSAGE]),
    );
    const batches = await store().listBatches(run.id);
    expect(auditRun(done, batches)).toMatchObject({
      duplicates: [],
      badBatches: [],
      unfinishedBatches: [],
      counterErrors: [],
    });
    await scanned.started.service.queue.idle();
    const decisions = new Map<string, number>();
    for (const r of await incrementalRuns()) {
      for (const batch of await store().listBatches(r.id)) {
        for (const d of batch.decisions) decisions.set(d.id, (decisions.get(d.id) ?? 0) + 1);
      }
    }
    expect(delivered.map((m) => decisions.get(m.id))).toEqual([1, 1, 1, 1]);
    const junk = delivered.filter((m) => m.labelIds.includes('CATEGORY_PROMOTIONS'));
    expect(
      inTrash(
        google,
        OWNER,
        junk.map((m) => m.id),
      ),
    ).toBe(true);
    const kept = delivered.find((m) => m.labelIds.includes('CATEGORY_PERSONAL'))!;
    expect(inTrash(google, OWNER, [kept.id])).toBe(false);
  }, 60_000);

  it('cancels a paused run when its owner disconnects instead of coming back', async () => {
    const { run } = await revokedAfterClaim();
    const cancelled: Run[] = [];
    const { store: runs } = scanned.started.service;
    const original = runs.updateRun.bind(runs);
    // The records go with the user: watch the run end on its way out.
    runs.updateRun = async (...args) => {
      const updated = await original(...args);
      if (updated?.id === run.id && updated.status === 'CANCELLED') cancelled.push(updated);
      return updated;
    };
    const answer = await scanned.started.client.post('/app/disconnect', { confirm: 'yes' });
    runs.updateRun = original;
    expect(answer.status).toBe(303);
    expect(cancelled.map((r) => r.status)).toEqual(['CANCELLED']);
    expect(await store().getUser(scanned.user.id)).toBeUndefined();
    await scanned.started.service.queue.idle();
    expect(await store().getRun(run.id)).toBeUndefined();
  }, 60_000);
});
