import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Run } from '../src/domain/model.js';
import type { PlanSender } from '../src/domain/review-plan.js';
import { REVIEW_EXPIRED_MESSAGE, REVIEW_EXPIRES_MS } from '../src/jobs/expire-review.js';
import { type StartedService, signIn, startLocalService } from './helpers/local-service.js';
import { type RunningGoogle, startSimulatedGoogle } from './helpers/simulated-google.js';

const OWNER = 'review@example.com';

async function waitForStatus(
  started: StartedService,
  runId: string,
  statuses: readonly string[],
  timeoutMs = 120_000,
): Promise<Run> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const run = await started.service.store.getRun(runId);
    if (run && statuses.includes(run.status)) return run;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`run ${runId} did not reach ${statuses.join('/')}`);
}

/** Ids of the account's messages in Trash now. */
function trashNow(google: RunningGoogle): Set<string> {
  return new Set(
    [...google.google.account(OWNER).messagesAfter(undefined)]
      .filter((m) => m.labelIds.includes('TRASH'))
      .map((m) => m.id),
  );
}

/** A form body with repeated `keep` fields, as a browser sends ticked boxes. */
function keepForm(keys: readonly string[]): URLSearchParams {
  const form = new URLSearchParams();
  for (const key of keys) form.append('keep', key);
  return form;
}

describe('a review run: decide everything, trash nothing, then apply what the owner keeps', () => {
  let google: RunningGoogle;
  let started: StartedService;
  let offsetMs = 0;
  let trashedBefore: Set<string>;
  let reviewId = '';

  const post = (path: string, body: URLSearchParams) =>
    started.client.send(path, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        origin: new URL(started.url).origin,
      },
      body: body.toString(),
    });
  const startReview = async () => {
    const start = await started.client.post('/app/runs', { mode: 'review' });
    expect(start.status).toBe(303);
    return start.headers.get('location')!.replace('/runs/', '');
  };

  beforeAll(async () => {
    google = await startSimulatedGoogle([{ email: OWNER, mailbox: { size: 1_500, seed: 18 } }], {
      userUnitsPerMinute: 10_000_000,
    });
    started = await startLocalService(google, {
      env: { GMAIL_USER_UNITS_PER_MINUTE: '1000000' },
      clock: { now: () => Date.now() + offsetMs },
    });
    await signIn(started.client);
    expect((await started.client.post('/app/openai-key', { rulesOnly: '1' })).status).toBe(303);
    trashedBefore = trashNow(google);
  }, 60_000);
  afterAll(async () => {
    await started?.close();
    await google?.close();
  });

  it('refuses a mode that is neither auto nor review, and starts nothing', async () => {
    const response = await started.client.post('/app/runs', { mode: 'later' });
    expect(response.status).toBe(400);
    expect(await (await started.client.get('/api/runs')).json()).toEqual([]);
  });

  it('decides every message, trashes nothing, and proposes by sender, largest first', async () => {
    const runId = await startReview();
    const run = await waitForStatus(started, runId, ['REVIEW', 'DONE', 'FAILED', 'CANCELLED']);
    expect(run.status).toBe('REVIEW');
    reviewId = runId;
    expect(trashNow(google)).toEqual(trashedBefore);

    const api = (await (await started.client.get(`/api/runs/${runId}`)).json()) as Record<
      string,
      unknown
    >;
    expect(api).toMatchObject({ status: 'REVIEW', trashed: 0, bytesTrashed: 0, remaining: 0 });
    expect(api.processed).toBe(run.total);

    const response = await started.client.get(`/api/runs/${runId}/plan`);
    expect(response.status).toBe(200);
    const plan = (await response.json()) as { senders: PlanSender[] };
    expect(plan.senders.length).toBeGreaterThan(2);
    for (const s of plan.senders) {
      expect(Object.keys(s)).toEqual(
        expect.arrayContaining(['key', 'address', 'messages', 'bytes', 'action', 'reason']),
      );
      expect(s.action).toBe('trash');
    }
    const bytes = plan.senders.map((s) => s.bytes);
    expect(bytes).toEqual([...bytes].sort((a, b) => b - a));
    const decided = (await started.service.store.listBatches(runId))
      .flatMap((b) => b.decisions)
      .filter((d) => d.decision === 'trash');
    expect(plan.senders.reduce((n, s) => n + s.messages, 0)).toBe(decided.length);
  });

  it('shows the proposal on the owner page and the plan to nobody else', async () => {
    const run = await started.service.store.getRun(reviewId);
    const page = await started.client.get(`/app/runs/${run!.id}`);
    const html = await page.text();
    expect(html).toContain('Review before Trash');
    expect(html).toContain('name="keep"');
    const anonymous = await fetch(`${started.url}/api/runs/${run!.id}/plan`);
    expect(anonymous.status).toBe(401);
  });

  it('refuses to apply a key that is not in the plan, and changes nothing', async () => {
    const run = await started.service.store.getRun(reviewId);
    const user = await started.service.store.getUser(run!.userId);
    const response = await post(`/app/runs/${run!.id}/apply`, keepForm(['stranger@nowhere.test']));
    expect(response.status).toBe(400);
    expect((await started.service.store.getRun(run!.id))?.status).toBe('REVIEW');
    expect((await started.service.store.getUser(run!.userId))?.policy).toEqual(user?.policy);
    expect(trashNow(google)).toEqual(trashedBefore);
  });

  it('trashes every decided trash but the kept senders, keeps them for good, and ends DONE', async () => {
    const run = await started.service.store.getRun(reviewId);
    const runId = run!.id;
    const plan = (await (await started.client.get(`/api/runs/${runId}/plan`)).json()) as {
      senders: PlanSender[];
    };
    const kept = plan.senders.slice(0, 2).map((s) => s.key);
    const decided = (await started.service.store.listBatches(runId))
      .flatMap((b) => b.decisions)
      .filter((d) => d.decision === 'trash');
    const expected = decided.filter((d) => !kept.includes(d.sender ?? 'unknown'));
    const keptIds = decided.filter((d) => kept.includes(d.sender ?? 'unknown')).map((d) => d.id);
    expect(keptIds.length).toBeGreaterThan(0);

    const response = await post(`/app/runs/${runId}/apply`, keepForm(kept));
    expect(response.status).toBe(303);
    const done = await waitForStatus(started, runId, ['DONE', 'FAILED', 'CANCELLED']);
    expect(done.status).toBe('DONE');

    const trash = trashNow(google);
    for (const d of expected) expect(trash.has(d.id)).toBe(true);
    for (const id of keptIds) expect(trash.has(id)).toBe(false);
    expect(trash.size).toBe(trashedBefore.size + expected.length);
    expect(done.counters.trashed).toBe(expected.length);
    expect(done.counters.bytesTrashed).toBe(expected.reduce((n, d) => n + d.bytes, 0));
    expect(done.counters.kept).toBeGreaterThanOrEqual(keptIds.length);

    const user = await started.service.store.getUser(done.userId);
    expect(user?.policy.keepSenders).toEqual(expect.arrayContaining(kept));
    const again = await post(`/app/runs/${runId}/apply`, keepForm([]));
    expect(again.status).toBe(409);
    trashedBefore = trash;
  });

  it('cancels a review left alone for 7 days, nothing trashed', async () => {
    const runId = await startReview();
    await waitForStatus(started, runId, ['REVIEW', 'DONE', 'FAILED', 'CANCELLED']);
    // Too early: the task finds the review not due and leaves it waiting.
    await started.service.callTask('/tasks/expire-review', JSON.stringify({ runId }));
    expect((await started.service.store.getRun(runId))?.status).toBe('REVIEW');

    offsetMs = REVIEW_EXPIRES_MS + 60_000;
    const answer = await started.service.callTask(
      '/tasks/expire-review',
      JSON.stringify({ runId }),
    );
    expect(answer.status).toBe(204);
    const run = await started.service.store.getRun(runId);
    expect(run?.status).toBe('CANCELLED');
    expect(run?.errors.at(-1)?.message).toBe(REVIEW_EXPIRED_MESSAGE);
    expect(trashNow(google)).toEqual(trashedBefore);
  });
});
