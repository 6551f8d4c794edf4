import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { countDeadWork, type DeadWork, type DeadWorkLog } from '../domain/dead-work.js';
import { silentLogger } from '../log.js';
import { deadWorkRecorder } from './dead-work-recorder.js';
import type { AppEnv } from './env.js';

/** Dead work kept in memory, keyed like the Firestore log: a repeat counts once. */
class MemoryDeadWork implements DeadWorkLog {
  readonly recorded = new Map<string, DeadWork>();
  async record(work: DeadWork) {
    this.recorded.set(`${work.source}\n${work.key}`, work);
  }
  async countSince(since: number) {
    const all = [...this.recorded.values()].filter((w) => w.at >= since);
    return countDeadWork(all, since, false);
  }
}

const QUEUE = 'Bearer queue';
const PUSHER = 'Bearer pubsub';

function serve(answer: number) {
  const dead = new MemoryDeadWork();
  const app = new Hono<AppEnv>();
  app.use(async (c, next) => {
    c.set('log', silentLogger);
    await next();
  });
  const recorder = deadWorkRecorder({
    log: dead,
    clock: { now: () => 1_000 },
    taskMaxAttempts: 5,
    pushMaxAttempts: 10,
    tasks: { verify: async (r) => r.headers.get('authorization') === QUEUE },
    push: { verify: async (r) => r.headers.get('authorization') === PUSHER },
  });
  app.use('/tasks/*', recorder);
  app.use('/push/*', recorder);
  app.post('/tasks/batch', (c) => c.body(null, answer as 204));
  app.post('/push/gmail', async (c) => {
    await c.req.json();
    if (answer >= 500) throw new Error('the store is down');
    return c.body(null, answer as 204);
  });
  app.onError((_error, c) => c.json({ error: 'internal' }, 500));
  return { app, dead };
}

const task = (retries: number, authorization = QUEUE) => ({
  method: 'POST',
  headers: {
    authorization,
    'x-cloudtasks-taskretrycount': String(retries),
    'x-cloudtasks-taskname': 'projects/p/locations/l/queues/q/tasks/abc',
  },
  body: '{}',
});

const push = (deliveryAttempt: number, authorization = PUSHER) => ({
  method: 'POST',
  headers: { authorization, 'content-type': 'application/json' },
  body: JSON.stringify({
    message: { data: 'e30', messageId: 'm-1', publishTime: '2026-12-03T00:00:00Z' },
    subscription: 'projects/p/subscriptions/s',
    deliveryAttempt,
  }),
});

describe('recording work the platform gives up on', () => {
  it("records a task that failed on the queue's last attempt, once however often it is told", async () => {
    const { app, dead } = serve(503);
    expect((await app.request('/tasks/batch', task(4))).status).toBe(503);
    await app.request('/tasks/batch', task(4));
    expect(await dead.countSince(0)).toMatchObject({
      tasks: 1,
      pushes: 0,
      byPath: { '/tasks/batch': 1 },
    });
    expect([...dead.recorded.values()][0]).toMatchObject({ status: 503, attempts: 5 });
  });

  it('records nothing for a failed attempt the queue will try again', async () => {
    const { app, dead } = serve(503);
    await app.request('/tasks/batch', task(3));
    expect(dead.recorded.size).toBe(0);
  });

  it('records nothing for a last attempt that succeeded', async () => {
    const { app, dead } = serve(204);
    await app.request('/tasks/batch', task(4));
    expect(dead.recorded.size).toBe(0);
  });

  it('records nothing for a caller the queue does not vouch for, whatever headers it sends', async () => {
    const { app, dead } = serve(503);
    await app.request('/tasks/batch', task(99, 'Bearer stranger'));
    expect(dead.recorded.size).toBe(0);
  });

  it('records a notification whose last delivery failed, which Pub/Sub then dead-letters', async () => {
    const { app, dead } = serve(500);
    expect((await app.request('/push/gmail', push(9))).status).toBe(500);
    expect(dead.recorded.size).toBe(0);
    expect((await app.request('/push/gmail', push(10))).status).toBe(500);
    expect(await dead.countSince(0)).toMatchObject({ tasks: 0, pushes: 1 });
    await app.request('/push/gmail', push(10, 'Bearer stranger'));
    expect(dead.recorded.size).toBe(1);
  });
});
