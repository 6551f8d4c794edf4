import { describe, expect, it } from 'vitest';
import { aRun, aUser } from '../../test/contract/store-contract.js';
import { fakeJobDeps, RecordingMailbox } from '../../test/helpers/job-fakes.js';
import { PAUSE_MESSAGES } from '../domain/classifier-errors.js';
import { ZERO_COUNTERS, ZERO_USAGE } from '../domain/model.js';
import { everPaused, RECONNECTED_MESSAGE, RUN_PAUSE_MESSAGES } from '../domain/run-pauses.js';
import { flagReconnect, grantOf, pauseForReconnect } from './google-access-lost.js';
import { batchTask } from './job-deps.js';
import { resumePausedRuns } from './paused-runs.js';

/** A user and an incremental run of three batches, the first one done. */
async function claimedRun() {
  const fakes = fakeJobDeps(new RecordingMailbox());
  const user = aUser();
  await fakes.store.putUser(user);
  const run = aRun({ userId: user.id, kind: 'incremental', status: 'PROCESSING' });
  await fakes.store.createRun(run);
  await fakes.store.putBatches(
    run.id,
    [0, 1, 2].map((batchNo) => ({
      batchNo,
      messageIds: [`m${batchNo}`],
      nextPageToken: null,
      listedThrough: batchNo + 1,
    })),
  );
  await fakes.store.completeBatch({
    runId: run.id,
    batchNo: 0,
    decisions: [{ id: 'm0', decision: 'keep', reason: 'test', sender: 'a@b.example', bytes: 1 }],
    counters: { ...ZERO_COUNTERS, processed: 1, kept: 1 },
    llm: ZERO_USAGE,
    now: 1,
  });
  await fakes.store.finishPlanning(run.id, 3, 3, 2);
  return { ...fakes, user, run };
}

describe('a run whose Google access is lost', () => {
  it('pauses with a plain-words note, flags the user, and queues nothing', async () => {
    const { deps, store, queued, user, run } = await claimedRun();
    await pauseForReconnect(deps, run.id, await grantOf(deps, user.id));
    await pauseForReconnect(deps, run.id, await grantOf(deps, user.id));
    const paused = await store.getRun(run.id);
    // Its status stays as it was: planning is done, the last batches are owed.
    expect(paused?.status).toBe('DELETING');
    // Said once however many of its tasks stop on it.
    expect(paused?.errors.map((e) => e.message)).toEqual([RUN_PAUSE_MESSAGES.google_access]);
    expect(RUN_PAUSE_MESSAGES.google_access).toMatch(
      /^Google access was revoked or expired: sign in again/,
    );
    expect((await store.getUser(user.id))?.needsReconnect).toBe(true);
    expect(queued).toEqual([]);
    // Its decisions are no longer fresh: the check before Trash runs for it (trash-guard.ts).
    expect(everPaused(run.errors)).toBe(false);
    expect(everPaused(paused!.errors)).toBe(true);
  });

  it('resumes from the first batch not done on a new sign-in, and not on a new OpenAI key', async () => {
    const { deps, store, queued, user, run } = await claimedRun();
    await pauseForReconnect(deps, run.id, await grantOf(deps, user.id));
    expect(await resumePausedRuns(deps, user.id)).toBe(0);
    expect(queued).toEqual([]);
    expect(await resumePausedRuns(deps, user.id, 'google_access')).toBe(1);
    expect(queued.map((t) => t.payload)).toEqual([batchTask(run.id, 1).payload]);
    expect(queued[0]?.name).not.toBe(batchTask(run.id, 1).name);
    expect((await store.getRun(run.id))?.errors.at(-1)?.message).toBe(RECONNECTED_MESSAGE);
    // Resumed once: a second sign-in finds nothing paused.
    expect(await resumePausedRuns(deps, user.id, 'google_access')).toBe(0);
  });

  it('leaves a run paused by the OpenAI key paused when the user signs in again', async () => {
    const { deps, store, queued, user, run } = await claimedRun();
    await store.appendRunError(run.id, { at: 3, message: PAUSE_MESSAGES.key_rejected });
    expect(await resumePausedRuns(deps, user.id, 'google_access')).toBe(0);
    expect(queued).toEqual([]);
  });

  it('goes on at once when the user signed in again while the failing task ran', async () => {
    const { deps, store, queued, user, run } = await claimedRun();
    const before = await grantOf(deps, user.id);
    await store.updateUser(user.id, { refreshToken: 'v1.a-new-grant', needsReconnect: false });
    await pauseForReconnect(deps, run.id, before);
    expect((await store.getUser(user.id))?.needsReconnect).toBe(false);
    expect((await store.getRun(run.id))?.errors.map((e) => e.message)).toEqual([
      RUN_PAUSE_MESSAGES.google_access,
      RECONNECTED_MESSAGE,
    ]);
    expect(queued.map((t) => t.payload)).toEqual([batchTask(run.id, 1).payload]);
  });

  it('tells a user task to retry when a new grant replaced the refused one', async () => {
    const { deps, store, user } = await claimedRun();
    const before = await grantOf(deps, user.id);
    expect(await flagReconnect(deps, user.id, before)).toBe(true);
    expect((await store.getUser(user.id))?.needsReconnect).toBe(true);
    await store.updateUser(user.id, { refreshToken: 'v1.a-new-grant', needsReconnect: false });
    expect(await flagReconnect(deps, user.id, before)).toBe(false);
    expect((await store.getUser(user.id))?.needsReconnect).toBe(false);
  });

  it('does nothing to a run that already ended', async () => {
    const { deps, store, user, run } = await claimedRun();
    await store.updateRun(run.id, ['PROCESSING', 'DELETING'], { status: 'CANCELLED', endedAt: 5 });
    await pauseForReconnect(deps, run.id, await grantOf(deps, user.id));
    expect((await store.getRun(run.id))?.errors).toEqual([]);
    expect((await store.getUser(user.id))?.needsReconnect).toBe(false);
  });
});
