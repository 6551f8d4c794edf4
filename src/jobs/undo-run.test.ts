import { describe, expect, it } from 'vitest';
import { aRun, aUser } from '../../test/contract/store-contract.js';
import { fakeJobDeps, RecordingMailbox } from '../../test/helpers/job-fakes.js';
import { countDecisions } from '../domain/decide.js';
import { ReconnectNeeded } from '../domain/mailbox-errors.js';
import { type MessageDecision, ZERO_USAGE } from '../domain/model.js';
import { UNDO_REQUESTED, UNDO_STOPPED, undoState } from '../domain/undo-log.js';
import { requestUndo, UNDO_TASK_PATH, undoRun } from './undo-run.js';

const decision = (id: string, kind: MessageDecision['decision']): MessageDecision => ({
  id,
  decision: kind,
  reason: 'test',
  sender: 'news@shop.example',
  bytes: 1_000,
});

/** A finished run of `batches` batches, each with one trashed and one kept message. */
async function finishedRun(batches: number) {
  const mailbox = new RecordingMailbox();
  const fakes = fakeJobDeps(mailbox);
  const user = aUser();
  await fakes.store.putUser(user);
  const run = aRun({ userId: user.id, status: 'PROCESSING' });
  await fakes.store.createRun(run);
  for (let batchNo = 0; batchNo < batches; batchNo++) {
    const ids = [`t${batchNo}`, `k${batchNo}`];
    await fakes.store.putBatches(run.id, [
      { batchNo, messageIds: ids, nextPageToken: null, listedThrough: 2 * (batchNo + 1) },
    ]);
    const decisions = [decision(ids[0]!, 'trash'), decision(ids[1]!, 'keep')];
    await fakes.store.completeBatch({
      runId: run.id,
      batchNo,
      decisions,
      counters: countDecisions(decisions),
      llm: ZERO_USAGE,
      now: 1,
    });
  }
  await fakes.store.finishPlanning(run.id, batches, 2 * batches, 2);
  return { ...fakes, mailbox, user, runId: run.id };
}

/** Runs the queued undo tasks until none is left, as the task queue would. */
async function drain(fakes: Awaited<ReturnType<typeof finishedRun>>) {
  let parts = 0;
  for (let task = fakes.queued.shift(); task; task = fakes.queued.shift()) {
    expect(task.path).toBe(UNDO_TASK_PATH);
    const { runId, fromBatch, restored } = task.payload as {
      runId: string;
      fromBatch: number;
      restored: number;
    };
    await undoRun(fakes.deps, runId, fromBatch, restored);
    parts++;
  }
  return parts;
}

describe('undoing a run', () => {
  it('gives back every trashed message of a big run in parts, and logs the count once', async () => {
    const fakes = await finishedRun(45);
    await requestUndo(fakes.deps, fakes.user.id, fakes.runId);
    expect(await drain(fakes)).toBe(3);
    expect(fakes.mailbox.untrashed.flat()).toEqual(Array.from({ length: 45 }, (_, i) => `t${i}`));
    const after = await fakes.store.getRun(fakes.runId);
    expect(after?.errors.map((e) => e.message)).toEqual([
      UNDO_REQUESTED,
      'Undone: 45 messages moved back out of Trash.',
    ]);
    expect(undoState(after!.errors)).toBe('done');
  });

  it('changes nothing when asked again, during or after the undo', async () => {
    const fakes = await finishedRun(2);
    await requestUndo(fakes.deps, fakes.user.id, fakes.runId);
    await requestUndo(fakes.deps, fakes.user.id, fakes.runId);
    expect(fakes.queued).toHaveLength(1);
    await drain(fakes);
    await requestUndo(fakes.deps, fakes.user.id, fakes.runId);
    expect(fakes.queued).toHaveLength(0);
    expect((await fakes.store.getRun(fakes.runId))?.errors).toHaveLength(2);
  });

  it("refuses a run still under way and another user's run", async () => {
    const fakes = await finishedRun(1);
    const running = aRun({ userId: fakes.user.id, status: 'PROCESSING' });
    await fakes.store.createRun(running);
    await expect(requestUndo(fakes.deps, fakes.user.id, running.id)).rejects.toMatchObject({
      code: 'conflict',
    });
    await expect(requestUndo(fakes.deps, 'someone-else', fakes.runId)).rejects.toMatchObject({
      code: 'not_found',
    });
    expect(fakes.queued).toHaveLength(0);
  });

  it('stops with a plain-words note when Google access is gone, so it can be asked again', async () => {
    const fakes = await finishedRun(1);
    fakes.mailbox.fail.untrash = new ReconnectNeeded();
    await requestUndo(fakes.deps, fakes.user.id, fakes.runId);
    await drain(fakes);
    const after = await fakes.store.getRun(fakes.runId);
    expect(after?.errors.at(-1)?.message).toBe(UNDO_STOPPED);
    expect(undoState(after!.errors)).toBe('none');
    expect((await fakes.store.getUser(fakes.user.id))?.needsReconnect).toBe(true);
  });
});
