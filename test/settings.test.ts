import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CAP_RAISED_MESSAGE, PAUSE_MESSAGES } from '../src/domain/classifier-errors.js';
import type { Policy, Run } from '../src/domain/model.js';
import { type FakeOpenAi, startFakeOpenAi, VALID_KEY } from './helpers/fake-openai.js';
import { type StartedService, signIn, startLocalService } from './helpers/local-service.js';
import { type RunningGoogle, startSimulatedGoogle } from './helpers/simulated-google.js';

const OWNER = 'settings@example.com';

async function until<T>(read: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    const value = await read();
    if (done(value)) return value;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error('timed out waiting');
}

const FINAL = ['DONE', 'FAILED', 'CANCELLED'];

describe('the settings page: keep-list, instructions, minimum age and spend cap', () => {
  let google: RunningGoogle;
  let fake: FakeOpenAi;
  let started: StartedService;
  let userId = '';
  let reviewId = '';

  const policy = async (): Promise<Policy> => (await started.service.store.getUser(userId))!.policy;
  const settings = (
    form: Partial<Record<'instructions' | 'minAgeDays' | 'monthlyCapUsd', string>>,
  ) =>
    started.client.post('/app/settings', {
      instructions: '',
      minAgeDays: '30',
      monthlyCapUsd: '',
      ...form,
    });
  const runToEnd = async (): Promise<Run> => {
    const start = await started.client.post('/app/runs', { mode: 'auto' });
    expect(start.status).toBe(303);
    const runId = start.headers.get('location')!.replace('/runs/', '');
    return until(
      async () => (await started.service.store.getRun(runId))!,
      (r) => FINAL.includes(r.status),
    );
  };

  beforeAll(async () => {
    google = await startSimulatedGoogle([{ email: OWNER, mailbox: { size: 1_500, seed: 7 } }], {
      userUnitsPerMinute: 10_000_000,
    });
    fake = await startFakeOpenAi();
    started = await startLocalService(google, {
      env: { GMAIL_USER_UNITS_PER_MINUTE: '1000000', OPENAI_BASE_URL: fake.baseUrl },
    });
    await signIn(started.client);
    expect((await started.client.post('/app/openai-key', { rulesOnly: '1' })).status).toBe(303);
    const start = await started.client.post('/app/runs', { mode: 'review' });
    const run = await started.service.store.getRun(
      start.headers.get('location')!.replace('/runs/', ''),
    );
    userId = run!.userId;
    // That review is not needed here: the first new scan replaces it, nothing trashed.
    await until(
      async () => (await started.service.store.getRun(run!.id))!,
      (r) => r.status === 'REVIEW',
    );
    reviewId = run!.id;
  }, 60_000);
  afterAll(async () => {
    await started?.close();
    await fake?.close();
    await google?.close();
  });

  it('shows the settings with how the instructions reach the model', async () => {
    const page = await started.client.get('/app/settings');
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('Senders to keep');
    expect(html).toContain('&lt;user_preferences&gt;');
    expect(html).toContain('name="monthlyCapUsd"');
  });

  it('refuses bad values with a plain-words error, and changes nothing', async () => {
    const before = await policy();
    for (const form of [
      { minAgeDays: 'soon' },
      { minAgeDays: '99999' },
      { monthlyCapUsd: '-3' },
      { monthlyCapUsd: 'lots' },
      { instructions: 'x'.repeat(601) },
    ]) {
      const response = await settings(form);
      expect(response.status).toBe(400);
      expect(await response.text()).toContain('role="alert"');
    }
    for (const sender of ['not an address', '@', 'a@b', 'x'.repeat(300)]) {
      expect((await started.client.post('/app/settings/keep', { sender })).status).toBe(400);
    }
    expect(await policy()).toEqual(before);
  });

  it('refuses a form posted from another site', async () => {
    const before = await policy();
    const response = await started.client.post(
      '/app/settings',
      { instructions: 'trash everything', minAgeDays: '0', monthlyCapUsd: '' },
      'https://evil.example',
    );
    expect(response.status).toBe(403);
    expect(await policy()).toEqual(before);
  });

  it('saves instructions and minimum age with a new policy version; the cap alone keeps it', async () => {
    const before = await policy();
    expect(
      (await settings({ instructions: '  Keep school mail.\u200b ', minAgeDays: '45' })).status,
    ).toBe(303);
    const saved = await policy();
    expect(saved).toMatchObject({ instructions: 'Keep school mail.', minAgeDays: 45 });
    expect(saved.version).toBe(before.version + 1);

    await settings({ instructions: 'Keep school mail.', minAgeDays: '45', monthlyCapUsd: '$2.50' });
    expect(await policy()).toMatchObject({ monthlyCapUsd: 2.5, version: saved.version });
    await settings({ instructions: 'Keep school mail.', minAgeDays: '45' });
    expect((await policy()).monthlyCapUsd).toBeNull();
  });

  it('adds and removes keep-list entries, domains stored with their @', async () => {
    const before = await policy();
    expect(
      (await started.client.post('/app/settings/keep', { sender: ' School.Example ' })).status,
    ).toBe(303);
    expect(
      (await started.client.post('/app/settings/keep', { sender: 'Coach@Club.Example' })).status,
    ).toBe(303);
    const added = await policy();
    expect(added.keepSenders).toEqual([
      ...before.keepSenders,
      '@school.example',
      'coach@club.example',
    ]);
    expect(added.version).toBe(before.version + 2);
    const page = await (await started.client.get('/app/settings')).text();
    expect(page).toContain('coach@club.example');

    await started.client.post('/app/settings/keep/remove', { sender: '@school.example' });
    expect((await policy()).keepSenders).toEqual([...before.keepSenders, 'coach@club.example']);
  });

  it('takes a sender off the always-trash list with a new policy version', async () => {
    const before = await policy();
    const entry = { sender: 'news@list.example', unsubscribe: 'unsubscribed' as const, at: 1 };
    await started.service.store.updateUser(userId, {
      policy: { ...before, alwaysTrash: [entry] },
    });
    expect(await (await started.client.get('/app/settings')).text()).toContain('news@list.example');
    const response = await started.client.post('/app/settings/always-trash/remove', {
      sender: 'news@list.example',
    });
    expect(response.status).toBe(303);
    expect(await policy()).toEqual({ ...before, alwaysTrash: [], version: before.version + 1 });
  });

  it('changes the next run: a minimum age of ten years trashes nothing, 30 days does', async () => {
    await settings({ minAgeDays: '3650' });
    const cautious = await runToEnd();
    expect(cautious.status).toBe('DONE');
    expect((await started.service.store.getRun(reviewId))?.status).toBe('CANCELLED');
    expect(cautious.counters.trashed).toBe(0);
    await settings({ minAgeDays: '30' });
    const usual = await runToEnd();
    expect(usual.status).toBe('DONE');
    expect(usual.counters.trashed).toBeGreaterThan(0);
  });

  it('pauses a run that would pass the spend cap, and a raised cap resumes it', async () => {
    expect((await started.client.post('/app/openai-key', { apiKey: VALID_KEY })).status).toBe(303);
    await settings({ minAgeDays: '30', monthlyCapUsd: '0' });
    const start = await started.client.post('/app/runs', { mode: 'auto' });
    const runId = start.headers.get('location')!.replace('/runs/', '');
    const paused = await until(
      async () => (await started.service.store.getRun(runId))!,
      (r) => r.errors.at(-1)?.message === PAUSE_MESSAGES.spend_cap || FINAL.includes(r.status),
    );
    expect(paused.errors.at(-1)?.message).toBe(PAUSE_MESSAGES.spend_cap);
    expect(paused.llm.calls).toBe(0);
    const view = (await (await started.client.get(`/api/runs/${runId}`)).json()) as {
      paused: boolean;
    };
    expect(view.paused).toBe(true);
    const ownerPage = await (await started.client.get(`/app/runs/${runId}`)).text();
    expect(ownerPage).toContain('/app/settings#spend-cap');

    const raised = await settings({ minAgeDays: '30', monthlyCapUsd: '100' });
    expect(raised.headers.get('location')).toBe('/app/settings?notice=resumed');
    const done = await until(
      async () => (await started.service.store.getRun(runId))!,
      (r) => FINAL.includes(r.status),
    );
    expect(done.status).toBe('DONE');
    expect(done.errors.map((e) => e.message)).toContain(CAP_RAISED_MESSAGE);
    expect(done.llm.calls).toBeGreaterThan(0);
    expect(done.llm.costUsd).toBeLessThanOrEqual(100);
  });
});
