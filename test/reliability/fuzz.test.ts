import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Random } from '../../src/local/google/random.js';
import { PUSH_TOKEN } from '../helpers/ongoing-cleanup.js';
import { recordFigures } from './figures.js';
import {
  randomBody,
  randomBytesFrom,
  randomJson,
  randomNotificationData,
  randomString,
} from './fuzz-inputs.js';
import { type Harness, startHarness, startScan, waitForRun } from './harness.js';
import { dumpStore } from './store-dump.js';

const OWNER = 'fuzzed@example.com';
/** Cases per handler; `npm run soak` sets RELIABILITY_FUZZ_CASES much higher. */
const CASES = Number(process.env.RELIABILITY_FUZZ_CASES ?? 1_500);
const SEED = Number(process.env.RELIABILITY_SEED ?? 20_261_121);

/**
 * Seeded fuzzing of the handlers that take input from outside: the push endpoint (with and
 * without its token), every task endpoint (with the queue's credentials), and Gmail search
 * through the simulated Gmail's HTTP API. No answer is a 5xx, and the database does not change.
 */
describe('fuzzing the push and task handlers and Gmail search', () => {
  let h: Harness;
  let before: ReturnType<typeof dumpStore>;
  const statuses = new Map<string, Map<number, number>>();
  const count = (handler: string, status: number) => {
    const byStatus = statuses.get(handler) ?? new Map<number, number>();
    statuses.set(handler, byStatus);
    byStatus.set(status, (byStatus.get(status) ?? 0) + 1);
  };

  beforeAll(async () => {
    h = await startHarness({
      owner: OWNER,
      size: 200,
      seed: 601,
      strategy: 'by-sender',
      llm: false,
      env: { PUSH_VERIFICATION_TOKEN: PUSH_TOKEN },
    });
    expect((await waitForRun(h.started.service.store, await startScan(h))).status).toBe('DONE');
    await h.started.service.queue.idle();
    // The fuzz runs with the queue stopped, so whatever it might queue would stay visible.
    await h.started.service.queue.stop();
    before = dumpStore(h.started.dataDir);
  }, 60_000);
  afterAll(async () => {
    recordFigures('fuzz', {
      seed: SEED,
      cases: Object.fromEntries(
        [...statuses].map(([handler, byStatus]) => [
          handler,
          [...byStatus.values()].reduce((a, b) => a + b, 0),
        ]),
      ),
      statuses: Object.fromEntries(
        [...statuses].map(([handler, byStatus]) => [handler, Object.fromEntries(byStatus)]),
      ),
    });
    await h?.close();
  });

  it('answers every push body with 204, 400 or 413, and queues nothing', async () => {
    const rng = new Random(SEED);
    const known = [OWNER, OWNER.toUpperCase(), ` ${OWNER} `];
    const cursor = Number((await h.started.service.store.getUser(h.userId))!.cursor!.historyId);
    const envelopeLike = () => ({
      message: {
        data: randomNotificationData(rng, known, cursor),
        messageId: String(rng.int(1, 1e9)),
        publishTime: new Date().toISOString(),
        ...(rng.chance(0.3) ? { attributes: randomJson(rng) } : {}),
      },
      subscription: 'projects/p/subscriptions/s',
      ...(rng.chance(0.3) ? { deliveryAttempt: randomJson(rng) } : {}),
    });
    for (let i = 0; i < CASES; i++) {
      const body = rng.chance(0.6) ? JSON.stringify(envelopeLike()) : randomBody(rng, envelopeLike);
      const type = rng.pick([
        'application/json',
        'text/plain',
        '',
        'application/x-www-form-urlencoded',
      ]);
      const response = await h.started.service.app.request(`/push/gmail?token=${PUSH_TOKEN}`, {
        method: 'POST',
        headers: type ? { 'content-type': type } : {},
        body: typeof body === 'string' ? body : new Uint8Array(body),
      });
      count('push', response.status);
      expect([204, 400, 413], `${response.status} for ${String(body).slice(0, 200)}`).toContain(
        response.status,
      );
    }
    expect(dumpStore(h.started.dataDir)).toEqual(before);
  });

  it('refuses pushes and tasks without credentials whatever they carry', async () => {
    const rng = new Random(SEED + 1);
    const paths = [
      '/push/gmail',
      '/tasks/plan',
      '/tasks/batch',
      '/tasks/sync',
      '/tasks/coming-of-age',
      '/tasks/undo',
      '/cron/renew-watches',
    ];
    for (let i = 0; i < Math.ceil(CASES / 3); i++) {
      const path = rng.pick(paths);
      const token = randomString(rng).replace(/[\ud800-\udfff]/g, '');
      const query = rng.chance(0.5) ? `?token=${encodeURIComponent(token)}` : '';
      const headers: Record<string, string> = {};
      if (rng.chance(0.5))
        headers.authorization = `Bearer ${randomString(rng, 80).replace(/[^\x20-\x7e]/g, '')}`;
      if (rng.chance(0.5))
        headers['x-clean-that-up-task'] = randomString(rng, 50).replace(/[^\x20-\x7e]/g, '');
      const response = await h.started.service.app.request(`${path}${query}`, {
        method: 'POST',
        headers,
        body: new Uint8Array(randomBytesFrom(rng, 500)),
      });
      count('no credentials', response.status);
      expect([401, 403], `${path}${query}`).toContain(response.status);
    }
    expect(dumpStore(h.started.dataDir)).toEqual(before);
  });

  it('answers every task payload with 400, or 204 for one about nothing that exists', async () => {
    const rng = new Random(SEED + 2);
    const runId = () => (rng.chance(0.5) ? 'AAAAAAAAAAAAAAAAAAAAAA' : randomString(rng, 30));
    const shapes: Record<string, () => unknown> = {
      '/tasks/plan': () => ({ runId: runId() }),
      '/tasks/batch': () => ({ runId: runId(), batchNo: rng.int(-2, 3) }),
      '/tasks/sync': () => ({
        userId: rng.chance(0.5) ? String(rng.int(1, 1e9)) : randomString(rng),
      }),
      '/tasks/watch': () => ({ userId: String(rng.int(1, 1e9)), runId: runId() }),
      '/tasks/coming-of-age': () => ({
        userId: rng.chance(0.5) ? String(rng.int(1, 1e9)) : randomString(rng),
      }),
      '/tasks/undo': () => ({
        runId: runId(),
        fromBatch: rng.int(-1, 2),
        restored: rng.int(-1, 2),
      }),
    };
    const paths = Object.keys(shapes);
    for (let i = 0; i < CASES; i++) {
      const path = rng.pick(paths);
      const shape = shapes[path]!;
      const body = rng.chance(0.3) ? JSON.stringify(shape()) : randomBody(rng, shape);
      const response = await h.started.service.callTask(path, body.toString());
      count('tasks', response.status);
      expect([204, 400, 413], `${path} ${body.toString().slice(0, 200)}`).toContain(
        response.status,
      );
    }
    expect(dumpStore(h.started.dataDir)).toEqual(before);
  });

  it('answers every Gmail search with a list, whatever the query', async () => {
    const rng = new Random(SEED + 3);
    const gmail = h.google.gmailFor(OWNER);
    const words = [
      'from:',
      'to:',
      'subject:',
      'label:',
      'in:',
      'is:',
      'has:',
      'larger:',
      'older_than:',
      'after:',
      'OR',
      '-',
      '(',
      ')',
      '{',
      '}',
      '"',
      'category:',
      'list:',
    ];
    for (let i = 0; i < Math.ceil(CASES / 5); i++) {
      let q = '';
      for (let j = rng.int(1, 12); j > 0; j--) {
        q += rng.chance(0.5) ? rng.pick(words) : randomString(rng, 8);
        if (rng.chance(0.5)) q += ' ';
      }
      const response = await gmail.users.messages.list({ userId: 'me', q, maxResults: 50 });
      count('gmail search', response.status);
      expect(response.status).toBe(200);
    }
  });
});
