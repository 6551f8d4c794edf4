import type { CloudTasksClient } from '@google-cloud/tasks';
import { status } from '@grpc/grpc-js';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  type CloudTasksFake,
  type CreateTaskRequest,
  startCloudTasksFake,
} from '../../../test/helpers/cloud-tasks-fake.js';
import { type LocalCerts, mintOidcToken, serveCerts } from '../../../test/helpers/oidc-tokens.js';
import { taskEndpointsApp } from '../../../test/helpers/task-endpoints.js';
import { batchTask, planTask } from '../../jobs/job-deps.js';
import { OidcCaller } from '../google-auth/oidc-caller.js';
import { CloudTasksQueue, DISPATCH_DEADLINE_SECONDS, taskId } from './cloud-tasks-queue.js';

const SERVICE_URL = 'https://clean-that-up-abc123-ew.a.run.app';
const INVOKER = 'tasks-invoker@demo-project.iam.gserviceaccount.com';
const PARENT = 'projects/demo-project/locations/europe-west1/queues/work';
const NOW = 1_750_000_000_123;
const RUN_ID = 'AAAAAAAAAAAAAAAAAAAAAA';

describe('CloudTasksQueue against a local Cloud Tasks server', () => {
  let fake: CloudTasksFake;
  let client: CloudTasksClient;
  let queue: CloudTasksQueue;

  beforeAll(async () => {
    fake = await startCloudTasksFake();
    client = fake.client();
    queue = new CloudTasksQueue({
      client,
      project: 'demo-project',
      location: 'europe-west1',
      queue: 'work',
      serviceUrl: SERVICE_URL,
      invokerServiceAccount: INVOKER,
      clock: { now: () => NOW },
      sleep: async () => {},
    });
  });
  afterAll(async () => {
    await client?.close();
    await fake?.close();
  });
  beforeEach(() => {
    fake.requests.length = 0;
  });

  const only = (): CreateTaskRequest => {
    expect(fake.requests).toHaveLength(1);
    return fake.requests[0]!;
  };

  it("creates an HTTP task to the service's own endpoint with an OIDC token for the invoker", async () => {
    await queue.enqueue(planTask('run-http'));
    const { parent, task } = only();
    expect(parent).toBe(PARENT);
    expect(task.name).toBe(`${PARENT}/tasks/${taskId('plan-run-http')}`);
    expect(task.httpRequest).toMatchObject({
      url: `${SERVICE_URL}/tasks/plan`,
      httpMethod: 'POST',
      headers: { 'Content-Type': 'application/json' },
      oidcToken: { serviceAccountEmail: INVOKER, audience: SERVICE_URL },
    });
    expect(JSON.parse(task.httpRequest.body.toString('utf8'))).toEqual({ runId: 'run-http' });
    expect(task.dispatchDeadline).toMatchObject({ seconds: String(DISPATCH_DEADLINE_SECONDS) });
    expect(task.scheduleTime).toBeUndefined();
  });

  it('names tasks by a hash of their name: the same each time, never in sequence', async () => {
    const ids = Array.from({ length: 10 }, (_, n) => taskId(batchTask('run-names', n).name));
    expect(taskId(batchTask('run-names', 2).name)).toBe(ids[2]);
    expect(new Set(ids).size).toBe(10);
    expect(ids.every((id) => /^[0-9a-f]{32}-batch-run-names-\d$/.test(id))).toBe(true);
    expect([...ids].sort()).not.toEqual(ids);
  });

  it('takes ALREADY_EXISTS as success, so a task added twice runs once', async () => {
    await queue.enqueue(batchTask('run-twice', 7));
    await expect(queue.enqueue(batchTask('run-twice', 7))).resolves.toBeUndefined();
    expect(fake.requests).toHaveLength(2);
    expect(fake.requests[0]?.task.name).toBe(fake.requests[1]?.task.name);
  });

  it('schedules a delayed task at the time the delay ends', async () => {
    await queue.enqueue({ ...planTask('run-later'), delayMs: 90_500 });
    const at = NOW + 90_500;
    expect(only().task.scheduleTime).toEqual({
      seconds: String(Math.floor(at / 1000)),
      nanos: (at % 1000) * 1_000_000,
    });
  });

  it('tries a named task again after UNAVAILABLE, but never an unnamed one', async () => {
    fake.failNext(status.UNAVAILABLE);
    await queue.enqueue(planTask('run-retry'));
    expect(fake.requests).toHaveLength(2);

    fake.requests.length = 0;
    fake.failNext(status.UNAVAILABLE);
    await expect(queue.enqueue({ path: '/tasks/plan', payload: {} })).rejects.toThrow(/injected/);
    expect(fake.requests).toHaveLength(1);
  });

  it('fails at once on an error a retry cannot fix', async () => {
    fake.failNext(status.PERMISSION_DENIED);
    await expect(queue.enqueue(planTask('run-denied'))).rejects.toMatchObject({
      code: status.PERMISSION_DENIED,
    });
    expect(fake.requests).toHaveLength(1);
  });

  it('refuses a payload over 100 KB before calling Cloud Tasks', async () => {
    const payload = { ids: 'x'.repeat(101 * 1024) };
    await expect(queue.enqueue({ path: '/tasks/plan', payload })).rejects.toThrow(
      /over 102400 bytes/,
    );
    expect(fake.requests).toHaveLength(0);
  });

  describe('fed back into the task endpoints', () => {
    let certs: LocalCerts;
    let app: ReturnType<typeof taskEndpointsApp>;
    beforeAll(async () => {
      certs = await serveCerts();
      const caller = new OidcCaller({
        audience: SERVICE_URL,
        serviceAccountEmail: INVOKER,
        certsUrl: certs.certsUrl,
      });
      app = taskEndpointsApp(caller, queue);
    });
    afterAll(() => certs?.close());

    async function deliver(request: CreateTaskRequest, audience?: string, email?: string) {
      const { httpRequest } = request.task;
      const token = mintOidcToken(certs.key, {
        audience: audience ?? httpRequest.oidcToken!.audience,
        email: email ?? httpRequest.oidcToken!.serviceAccountEmail,
      });
      const response = await app.request(new URL(httpRequest.url).pathname, {
        method: httpRequest.httpMethod,
        headers: { ...httpRequest.headers, authorization: `Bearer ${token}` },
        body: new Uint8Array(httpRequest.body),
      });
      return response.status;
    }

    it('is accepted by the endpoint it names, with the token Cloud Tasks would attach', async () => {
      await queue.enqueue(planTask(RUN_ID));
      await queue.enqueue(batchTask(RUN_ID, 3));
      const [plan, batch] = fake.requests;
      expect(await deliver(plan!)).toBe(204);
      expect(await deliver(batch!)).toBe(204);
    });

    it('is refused with a token for another audience or another account', async () => {
      await queue.enqueue(planTask(RUN_ID));
      const [plan] = fake.requests;
      expect(await deliver(plan!, 'https://other.example')).toBe(403);
      expect(await deliver(plan!, undefined, 'intruder@demo-project.iam.gserviceaccount.com')).toBe(
        403,
      );
    });
  });
});
