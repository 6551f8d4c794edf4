import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFirestore } from '../../src/adapters/firestore/firestore-client.js';
import type { GmailMethod } from '../../src/domain/gmail-quota.js';
import { FINAL_STATUSES, type Run } from '../../src/domain/model.js';
import { TASK_PATHS } from '../../src/jobs/job-deps.js';
import { makeIncomingMessage } from '../../src/local/google/mailbox-generator.js';
import { Random } from '../../src/local/google/random.js';
import type { SimSender } from '../../src/local/google/sim-types.js';
import { type FirestoreEmulator, startFirestoreEmulator } from './emulators.js';
import { type FakeOpenAi, startFakeOpenAi, VALID_KEY } from './fake-openai.js';
import {
  disposableSender,
  type GcpScannedUser,
  gcpScannedService,
  promotionFrom,
  pushNotification,
  taskCall,
} from './gcp-ongoing-cleanup.js';
import { inTrash, personal, waitFor } from './ongoing-cleanup.js';
import { type RunningGoogle, startSimulatedGoogle } from './simulated-google.js';

const SYNC_TRASH_WITHIN_MS = 60_000;

export interface SuiteOptions {
  readonly owner: string;
  /** With an OpenAI key (the fake OpenAI server); the rules only otherwise. */
  readonly openAi: boolean;
  readonly seed: number;
}

/** What the suite's tests share, for tests a file adds to it. */
export interface SuiteContext {
  readonly google: RunningGoogle;
  readonly scanned: GcpScannedUser;
  readonly sender: SimSender;
  readonly rng: Random;
  calls(method: GmailMethod): number;
  incremental(): Promise<Run[]>;
}

/**
 * Ongoing cleanup in MODE=gcp over the real Firestore emulator, with Cloud Tasks delivering
 * every task (the sync after its window, the outbox's delayed flush) with OIDC tokens, with either
 * classifier: a push notification's sync, the same notification again, the same sync task
 * twice at once; a file adds its own tests with `more` ("Check new mail now" has its file).
 */
export function gcpOngoingCleanupSuite(
  name: string,
  { owner, openAi, seed }: SuiteOptions,
  more?: (context: () => SuiteContext) => void,
): void {
  describe(name, () => {
    let emulator: FirestoreEmulator;
    let db: ReturnType<typeof createFirestore>;
    let google: RunningGoogle;
    let fake: FakeOpenAi | undefined;
    let scanned: GcpScannedUser;
    let sender: SimSender;
    const rng = new Random(seed);
    const account = () => google.google.account(owner);
    const store = () => scanned.gcp.service.store;
    const calls = (method: GmailMethod) =>
      google.google.stats.snapshot(owner).methods[method]?.calls ?? 0;
    const incremental = async () =>
      (await store().listRuns(scanned.user.id, 100)).filter((r) => r.kind === 'incremental');

    beforeAll(async () => {
      emulator = await startFirestoreEmulator();
      db = createFirestore({ projectId: emulator.project, emulatorHost: emulator.host });
      google = await startSimulatedGoogle([{ email: owner, mailbox: { size: 300, seed: 16 } }], {
        userUnitsPerMinute: 10_000_000,
      });
      fake = openAi ? await startFakeOpenAi() : undefined;
      scanned = await gcpScannedService(google, db, owner, {
        ...(fake ? { apiKey: VALID_KEY, env: { OPENAI_BASE_URL: fake.baseUrl } } : {}),
      });
      sender = await disposableSender(google, scanned.gcp, owner, scanned.user.id);
    }, 180_000);
    afterAll(async () => {
      await scanned?.gcp.close();
      await fake?.close();
      await google?.close();
      await db?.terminate();
      await emulator?.stop();
    }, 60_000);

    it('trashes new junk of a disposable sender through the delayed flush and keeps the starred mail, the replied conversation and a stranger’s mail', async () => {
      const junk = [promotionFrom(rng, owner, sender), promotionFrom(rng, owner, sender)];
      const starred = promotionFrom(rng, owner, sender);
      starred.labelIds = [...starred.labelIds, 'STARRED'];
      const first = promotionFrom(rng, owner, sender);
      const reply = {
        ...makeIncomingMessage(rng, owner, Date.now(), 'personal'),
        threadId: first.id,
        labelIds: ['SENT'],
      };
      const followUp = { ...promotionFrom(rng, owner, sender), threadId: first.id };
      const stranger = personal(rng, owner);
      const cursor = (await store().getUser(scanned.user.id))!.cursor!.historyId;
      for (const m of [...junk, starred, first, reply, followUp, stranger]) {
        google.google.deliver(owner, m);
      }
      const latest = String(account().historyId);
      const before = (await incremental()).length;
      const flushesBefore = scanned.gcp.tasks.requests.length;
      const pushedAt = Date.now();

      expect(await pushNotification(google, scanned.gcp, owner, 'n-1')).toBe(204);
      await waitFor(
        () =>
          inTrash(
            google,
            owner,
            junk.map((m) => m.id),
          ),
        'the junk in Trash',
        SYNC_TRASH_WITHIN_MS,
      );
      const toTrashMs = Date.now() - pushedAt;
      const run = await waitFor(async () => {
        const runs = await incremental();
        return runs.length > before && runs[0]?.status === 'DONE' ? runs[0] : undefined;
      }, 'the sync run');

      expect(await incremental()).toHaveLength(before + 1);
      expect(run.counters).toMatchObject({ processed: 6, trashed: 2, protected: 3, kept: 1 });
      for (const kept of [starred, first, reply, followUp, stranger]) {
        expect(account().message(kept.id)?.labelIds).not.toContain('TRASH');
      }
      const decisions = (await store().listBatches(run.id)).flatMap((b) => b.decisions);
      const reasonOf = (id: string) => decisions.find((d) => d.id === id)?.reason;
      expect([reasonOf(first.id), reasonOf(followUp.id)]).toEqual([
        'in a thread you replied to',
        'in a thread you replied to',
      ]);
      const moved = (await store().getUser(scanned.user.id))!.cursor!.historyId;
      expect(BigInt(moved)).toBeGreaterThan(BigInt(cursor));
      expect(moved).toBe(latest);

      // The junk went to Gmail from the delayed task the sync left, due after the quiet spell.
      const flushes = scanned.gcp.tasks.requests
        .slice(flushesBefore)
        .filter((r) => r.task.httpRequest.url.endsWith(TASK_PATHS.flushTrash));
      expect(flushes.length).toBeGreaterThan(0);
      for (const { task } of flushes) {
        const { after } = JSON.parse(task.httpRequest.body.toString()) as { after: number };
        expect(Number(task.scheduleTime?.seconds) * 1000).toBeGreaterThanOrEqual(after + 9_000);
      }
      const delivered = scanned.gcp.tasks.attempts.filter(
        (a) => a.path === TASK_PATHS.flushTrash && a.status === 204,
      );
      expect(delivered.length).toBeGreaterThan(0);
      console.log(`gcp sync: notification to Trash in ${toTrashMs} ms`);
    }, 120_000);

    it('trashes and counts new mail once when Pub/Sub delivers its notification again, before and after the sync', async () => {
      await scanned.gcp.tasks.idle(60_000);
      const junk = promotionFrom(rng, owner, sender);
      google.google.deliver(owner, junk);
      const historyId = account().historyId;
      const before = (await incremental()).length;
      google.google.stats.reset();

      expect(await pushNotification(google, scanned.gcp, owner, 'n-2', historyId)).toBe(204);
      // Again while its sync's trash waits in the outbox, in a later sync window.
      await waitFor(
        async () => ((await incremental()).length > before ? true : undefined),
        'a run',
      );
      expect(await pushNotification(google, scanned.gcp, owner, 'n-2', historyId)).toBe(204);
      const run = await waitFor(async () => {
        const [latest] = await incremental();
        return latest?.status === 'DONE' ? latest : undefined;
      }, 'the sync run');
      // And once more after it is done; then every task due within a minute has run.
      expect(await pushNotification(google, scanned.gcp, owner, 'n-2', historyId)).toBe(204);
      await scanned.gcp.tasks.idle(60_000);

      const runs = await incremental();
      expect(runs).toHaveLength(before + 1);
      expect(runs[0]).toMatchObject({ id: run.id, status: 'DONE' });
      expect(runs[0]?.counters).toMatchObject({ processed: 1, trashed: 1 });
      expect(inTrash(google, owner, [junk.id])).toBe(true);
      expect(calls('users.messages.batchModify') + calls('users.messages.trash')).toBe(1);
      expect((await store().getUser(scanned.user.id))?.cursor?.historyId).toBe(String(historyId));
    }, 120_000);

    it('lets only one of two simultaneous deliveries of a sync task take the new mail', async () => {
      await scanned.gcp.tasks.idle(60_000);
      const junk = promotionFrom(rng, owner, sender);
      const stranger = personal(rng, owner);
      for (const m of [junk, stranger]) google.google.deliver(owner, m);
      const earlier = new Set((await incremental()).map((r) => r.id));
      const since = async () => (await incremental()).filter((r) => !earlier.has(r.id));
      google.google.stats.reset();

      // Cloud Tasks delivers at least once: the same task may come twice at the same time.
      const deliver = () =>
        taskCall(google, scanned.gcp, '/tasks/sync', { userId: scanned.user.id });
      expect(await Promise.all([deliver(), deliver()])).toEqual([204, 204]);
      await waitFor(async () => {
        const runs = await since();
        return runs.length > 0 && runs.every((r) => FINAL_STATUSES.includes(r.status))
          ? true
          : undefined;
      }, 'the syncs to settle');
      await scanned.gcp.tasks.idle(60_000);

      const runs = await since();
      expect(runs.filter((r) => r.status === 'DONE')).toHaveLength(1);
      expect(runs.every((r) => ['DONE', 'CANCELLED'].includes(r.status))).toBe(true);
      const done = runs.find((r) => r.status === 'DONE')!;
      expect(done.counters).toMatchObject({ processed: 2, trashed: 1, kept: 1 });
      expect(inTrash(google, owner, [junk.id])).toBe(true);
      expect(account().message(stranger.id)?.labelIds).not.toContain('TRASH');
      expect(calls('users.messages.batchModify') + calls('users.messages.trash')).toBe(1);
    }, 120_000);

    more?.(() => ({ google, scanned, sender, rng, calls, incremental }));

    it('answered every task Cloud Tasks delivered with a success, so none was tried again', async () => {
      await scanned.gcp.tasks.idle(60_000);
      const { attempts } = scanned.gcp.tasks;
      expect(attempts.length).toBeGreaterThan(0);
      expect(attempts.filter((a) => a.status < 200 || a.status >= 300)).toEqual([]);
    });
  });
}
