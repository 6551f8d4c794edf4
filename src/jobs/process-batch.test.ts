import { describe, expect, it } from 'vitest';
import { aDecision, aRun, aUser } from '../../test/contract/store-contract.js';
import { ZERO_USAGE } from '../domain/model.js';
import type { Mailbox, Task } from '../domain/ports.js';
import { RulesClassifier } from '../domain/rules-classifier.js';
import { openDatabase } from '../local/sqlite/open-database.js';
import { SqliteStore } from '../local/sqlite/sqlite-store.js';
import { silentLogger } from '../log.js';
import type { JobDeps } from './job-deps.js';
import { processBatch } from './process-batch.js';

const STARTED = Date.UTC(2026, 10, 1);
const IDS = ['m0', 'm1', 'm2'];

/**
 * A run with one batch of starred mail (protected: nothing to trash), and deps whose mailbox
 * runs `meanwhile` when the task opens it, standing for another delivery of the same task.
 */
async function setup(meanwhile: (store: SqliteStore, runId: string) => Promise<void>) {
  const store = new SqliteStore(openDatabase(':memory:'));
  const user = aUser();
  await store.putUser(user);
  const run = aRun({ userId: user.id, status: 'PROCESSING', startedAt: STARTED });
  await store.createRun(run);
  await store.putBatches(run.id, [
    {
      batchNo: 0,
      messageIds: IDS,
      nextPageToken: 'by-sender',
      listedThrough: 3,
      plan: { kind: 'protected', reason: 'starred' },
    },
  ]);
  const tasks: Task[] = [];
  const deps = {
    store,
    queue: { enqueue: async (task: Task) => void tasks.push(task) },
    classifierFor: async () => new RulesClassifier(),
    mailboxFor: async () => {
      await meanwhile(store, run.id);
      return {} as Mailbox;
    },
    clock: { now: () => STARTED + 1000 },
    log: silentLogger,
    watchTopic: undefined,
  } as unknown as JobDeps;
  return { store, user, run, deps, tasks };
}

describe('processBatch', () => {
  it('saves and counts a batch with nothing to trash in one write, with its decisions', async () => {
    const { store, run, deps } = await setup(async () => {});
    await processBatch(deps, run.id, 0);

    const batch = await store.getBatch(run.id, 0);
    expect(batch?.status).toBe('done');
    expect(batch?.decisions.map((d) => [d.id, d.decision])).toEqual(
      IDS.map((id) => [id, 'protected']),
    );
    expect((await store.getRun(run.id))?.counters.protected).toBe(3);
  });

  it('keeps the decisions another delivery saved first, and their trash, instead of its own', async () => {
    const theirs = IDS.map((id) => aDecision({ id, threadId: `t-${id}` }));
    const { store, user, run, deps } = await setup(async (s, runId) => {
      await s.saveTrashDecisions({
        runId,
        batchNo: 0,
        decisions: theirs,
        llm: ZERO_USAGE,
        trash: { ids: IDS, threadIds: IDS.map((id) => `t-${id}`), queuedAt: STARTED + 500 },
      });
    });
    await processBatch(deps, run.id, 0);

    expect(await store.getBatch(run.id, 0)).toMatchObject({ status: 'decided', decisions: theirs });
    expect((await store.getRun(run.id))?.batchesDone).toBe(0);
    const queued = await store.queuedTrash(user.id, 10);
    expect(queued.map((e) => e.ids)).toEqual([IDS]);
  });

  it('goes on to the next batch when retried after its decisions and trash were saved', async () => {
    const { store, run, deps, tasks } = await setup(async () => {});
    await store.putBatches(run.id, [
      { batchNo: 1, messageIds: ['m3'], nextPageToken: 'by-sender', listedThrough: 4 },
    ]);
    // The first attempt saved batch 0's decisions and trash, then its instance went away.
    await store.saveTrashDecisions({
      runId: run.id,
      batchNo: 0,
      decisions: IDS.map((id) => aDecision({ id, threadId: `t-${id}` })),
      llm: ZERO_USAGE,
      trash: { ids: IDS, threadIds: IDS.map((id) => `t-${id}`), queuedAt: STARTED + 500 },
    });
    await processBatch(deps, run.id, 0);

    expect(tasks.filter((t) => t.path === '/tasks/batch').map((t) => t.payload)).toEqual([
      { runId: run.id, batchNo: 1 },
    ]);
  });
});
