import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PAUSE_MESSAGES, RESUMED_MESSAGE } from '../src/domain/classifier-errors.js';
import type { Run } from '../src/domain/model.js';
import type { SimMessage } from '../src/local/google/sim-types.js';
import { type FakeOpenAi, startFakeOpenAi, VALID_KEY } from './helpers/fake-openai.js';
import { type StartedService, signIn, startLocalService } from './helpers/local-service.js';
import { type RunningGoogle, startSimulatedGoogle } from './helpers/simulated-google.js';

const OWNER = 'llm@example.com';
const SECOND_KEY = 'sk-test-second-0123456789abcdef';

interface ApiRun {
  status: string;
  processed: number;
  trashed: number;
  llm: { calls: number; inputTokens: number; outputTokens: number; costUsd: number };
  errors: { at: string; message: string }[];
}

async function until<T>(read: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    const value = await read();
    if (done(value)) return value;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('timed out waiting');
}

describe('a full scan classified by OpenAI', () => {
  let google: RunningGoogle;
  let fake: FakeOpenAi;
  let started: StartedService;
  let before: SimMessage[];

  beforeAll(async () => {
    google = await startSimulatedGoogle([{ email: OWNER, mailbox: { size: 3_000, seed: 11 } }], {
      userUnitsPerMinute: 10_000_000,
    });
    before = [...google.google.account(OWNER).messagesAfter(undefined)].map((m) => ({
      ...m,
      labelIds: [...m.labelIds],
    }));
    fake = await startFakeOpenAi();
    started = await startLocalService(google, {
      env: { GMAIL_USER_UNITS_PER_MINUTE: '1000000', OPENAI_BASE_URL: fake.baseUrl },
    });
  }, 60_000);
  afterAll(async () => {
    await started?.close();
    await fake?.close();
    await google?.close();
  });

  const runOf = (client: StartedService['client'], runId: string) => async () =>
    (await (await client.get(`/api/runs/${runId}`)).json()) as ApiRun;
  const startRun = async () => {
    const start = await started.client.post('/app/runs');
    expect(start.status).toBe(303);
    return start.headers.get('location')!.replace('/runs/', '');
  };

  it('checks the key, scans with the LLM, reports its usage and trashes nothing protected', async () => {
    const { client } = started;
    await signIn(client);

    const rejected = await client.post('/app/openai-key', {
      apiKey: 'sk-not-a-real-key-0123456789',
    });
    expect(rejected.status).toBe(400);
    expect(await rejected.text()).toContain('OpenAI rejected this key');
    expect(await (await client.get('/app/openai-key')).text()).toContain('Add your OpenAI key');
    const saved = await client.post('/app/openai-key', { apiKey: VALID_KEY });
    expect(saved.status).toBe(303);
    expect(fake.stats.keyChecks).toBe(2);

    const runId = await startRun();
    const api = await until(runOf(client, runId), (r) => r.status === 'DONE');
    const run = (await started.service.store.getRun(runId)) as Run;
    const user = (await started.service.store.getUser(run.userId))!;
    expect(user.openAiKey).not.toBeNull();
    expect(user.openAiKey).not.toContain(VALID_KEY);

    expect(api.llm.calls).toBe(fake.stats.calls);
    expect(api.llm.calls).toBeLessThanOrEqual(api.processed / 25);
    expect(api.llm.inputTokens).toBe(fake.stats.promptTokens);
    expect(api.llm.outputTokens).toBe(fake.stats.completionTokens);
    expect(api.llm.costUsd).toBeGreaterThan(0);

    const decisions = (await started.service.store.listBatches(runId)).flatMap((b) => b.decisions);
    const account = google.google.account(OWNER);
    const inTrash = new Set(
      before.map((m) => m.id).filter((id) => account.message(id)?.labelIds.includes('TRASH')),
    );
    const decidedTrash = decisions.filter((d) => d.decision === 'trash');
    expect(new Set(decidedTrash.map((d) => d.id))).toEqual(inTrash);
    expect(inTrash.size).toBeGreaterThan(0);
    expect(decidedTrash.every((d) => d.reason.startsWith('LLM'))).toBe(true);
    const replied = new Set(
      before.filter((m) => m.labelIds.includes('SENT')).map((m) => m.threadId),
    );
    for (const m of before) {
      const labelled = m.labelIds.some(
        (l) => ['STARRED', 'SENT', 'DRAFT', 'CHAT'].includes(l) || l.startsWith('Label_'),
      );
      if (labelled || replied.has(m.threadId)) expect(inTrash.has(m.id)).toBe(false);
    }
  }, 150_000);

  it('asks about no known sender again when the scan is rerun', async () => {
    const senderCalls = () => fake.requests.filter((r) => r.prompt.kind === 'senders').length;
    const earlier = senderCalls();
    const runId = await startRun();
    const api = await until(runOf(started.client, runId), (r) => r.status === 'DONE');
    expect(senderCalls()).toBe(earlier);
    expect(api.trashed).toBe(0);
  }, 150_000);

  it('pauses a run on a revoked key and resumes it when a new key is saved', async () => {
    fake.keys.delete(VALID_KEY);
    const runId = await startRun();
    const paused = await until(runOf(started.client, runId), (r) =>
      r.errors.some((e) => e.message === PAUSE_MESSAGES.key_rejected),
    );
    expect(['PROCESSING', 'DELETING']).toContain(paused.status);
    // Every task ends (none retries against the rejected key); the run waits, unfinished.
    await started.service.queue.idle();
    expect(started.service.queue.counts()).toMatchObject({ pending: 0, running: 0 });
    const waiting = await runOf(started.client, runId)();
    expect(['PROCESSING', 'DELETING']).toContain(waiting.status);
    expect(waiting.processed).toBeLessThan((await started.service.store.getRun(runId))!.total);

    fake.keys.add(SECOND_KEY);
    const saved = await started.client.post('/app/openai-key', { apiKey: SECOND_KEY });
    expect(saved.status).toBe(303);
    const done = await until(runOf(started.client, runId), (r) => r.status === 'DONE');
    expect(done.errors.map((e) => e.message)).toEqual([
      PAUSE_MESSAGES.key_rejected,
      RESUMED_MESSAGE,
    ]);
    expect(fake.requests.at(-1)?.key).toBe(SECOND_KEY);
  }, 150_000);
});
