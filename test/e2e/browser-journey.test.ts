import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { open } from '../../src/domain/sealing.js';
import { FileKeyRing } from '../../src/local/file-key-ring.js';
import { type FakeOpenAi, startFakeOpenAi, VALID_KEY } from '../helpers/fake-openai.js';
import { DESKTOP, launchChromium, screenshot, watchProblems } from './browser.js';
import { type DemoService, startDemoService } from './demo-service.js';

interface ApiRun {
  id: string;
  status: string;
  processed: number;
  total: number;
  trashed: number;
  bytesTrashed: number;
  llm: { calls: number; costUsd: number };
}

/** Reads the run's trashed ids from its batches, to check the mailbox against them. */
async function trashedIds(demo: DemoService, runId: string): Promise<string[]> {
  const batches = await demo.service.store.listBatches(runId);
  return batches
    .flatMap((b) => b.decisions)
    .filter((d) => d.decision === 'trash')
    .map((d) => d.id);
}

describe('the pages in a real browser, in demo mode', () => {
  let demo: DemoService;
  let fake: FakeOpenAi;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let problems: string[];

  beforeAll(async () => {
    fake = await startFakeOpenAi();
    demo = await startDemoService({
      DEMO_MAILBOX_SIZE: '2000',
      GMAIL_USER_UNITS_PER_MINUTE: '300000',
      OPENAI_BASE_URL: fake.baseUrl,
    });
    browser = await launchChromium();
    context = await browser.newContext({ viewport: DESKTOP, baseURL: demo.url });
    page = await context.newPage();
    problems = watchProblems(page);
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await demo?.close();
    await fake?.close();
  });

  it('signs up, scans to DONE, matches the API, undoes the run and disconnects', async () => {
    await page.goto('/');
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe(
      'Free your Gmail storage',
    );
    expect(await page.getByText('Demo mode:').count()).toBe(1);
    await screenshot(page, '01-landing');

    await page.getByRole('link', { name: 'Sign in with Google' }).click();
    await page.waitForURL('**/app/openai-key');
    await screenshot(page, '02-openai-key');
    await page.getByLabel('OpenAI API key').fill('sk-not-a-real-key-0123456789');
    await page.getByRole('button', { name: 'Check and save key' }).click();
    await page.getByRole('alert').waitFor();
    await screenshot(page, '03-openai-key-rejected');
    await page.getByLabel('OpenAI API key').fill(VALID_KEY);
    await page.getByRole('button', { name: 'Check and save key' }).click();
    await page.waitForURL('**/app?notice=key');
    expect(await page.getByText(/Estimated time:/).count()).toBe(1);
    await screenshot(page, '04-dashboard-new');

    await page.getByRole('button', { name: 'Start first full scan' }).click();
    await page.waitForURL(/\/runs\/[A-Za-z0-9_-]{22}$/);
    const runId = new URL(page.url()).pathname.split('/').pop()!;
    await screenshot(page, '05-status-running');
    // The first scan is a review: the page follows it (polling, then one reload) to REVIEW,
    // which leads the owner to the proposal; applying it as it is trashes what it decided.
    await page.locator('[data-field="status"][data-status="REVIEW"]').waitFor({ timeout: 45_000 });
    await page.getByRole('link', { name: 'Review the proposal' }).click();
    await page.waitForURL(`**/app/runs/${runId}`);
    await page.getByRole('button', { name: 'Keep the ticked senders, trash the rest' }).click();
    await page.waitForURL(`**/app/runs/${runId}`);
    await page.goto(`/runs/${runId}`);
    await page.locator('[data-field="status"][data-status="DONE"]').waitFor({ timeout: 45_000 });
    await page.locator('[data-field="eta"]', { hasText: 'Finished' }).waitFor();
    expect(await page.locator('progress').getAttribute('value')).toBe('100');
    const api = (await (await page.request.get(`/api/runs/${runId}`)).json()) as ApiRun;
    expect(api).toMatchObject({ status: 'DONE', processed: api.total });
    expect(api.trashed).toBeGreaterThan(0);
    expect(api.llm.calls).toBeGreaterThan(0);
    const html = await page.content();
    expect(html).not.toContain(demo.email);
    expect(html).not.toContain('@');
    expect(await page.locator('[data-field="trashed"]').textContent()).toBe(
      api.trashed.toLocaleString('en-US'),
    );
    await screenshot(page, '06-status-done');

    await page.goto('/app');
    const row = page.locator(`tr[data-run-id="${runId}"]`);
    const runs = (await (await page.request.get('/api/runs')).json()) as ApiRun[];
    const listed = runs.find((r) => r.id === runId)!;
    expect(listed).toMatchObject({ trashed: api.trashed, bytesTrashed: api.bytesTrashed });
    expect(await row.locator('[data-col="trashed"]').textContent()).toBe(
      listed.trashed.toLocaleString('en-US'),
    );
    expect(await page.getByRole('button', { name: 'Rerun full scan with review' }).count()).toBe(1);
    expect(
      await page.getByRole('button', { name: 'Rerun full scan and trash right away' }).count(),
    ).toBe(1);
    await screenshot(page, '07-dashboard-done');

    await row.getByRole('link').click();
    await page.waitForURL(`**/app/runs/${runId}`);
    expect(await page.getByRole('heading', { name: 'Moved to Trash, by sender' }).count()).toBe(1);
    await screenshot(page, '08-run-detail');
    const ids = await trashedIds(demo, runId);
    const account = demo.google.account(demo.email);
    expect(ids.every((id) => account.message(id)?.labelIds.includes('TRASH'))).toBe(true);

    await page.getByRole('button', { name: 'Undo this run' }).click();
    await page.waitForURL(`**/app/runs/${runId}`);
    await demo.service.queue.idle();
    await page.reload();
    await page.getByText('This run is undone').waitFor();
    expect(ids.some((id) => account.message(id)?.labelIds.includes('TRASH'))).toBe(false);
    await screenshot(page, '09-run-undone');

    const user = (await demo.service.store.getRun(runId))!.userId;
    const sealedToken = (await demo.service.store.getUser(user))!.refreshToken!;
    await page.goto('/app');
    await page.getByLabel(/I understand/).check();
    await page.getByRole('button', { name: 'Disconnect and delete my data' }).click();
    await page.waitForURL('**/disconnected');
    await screenshot(page, '10-disconnected');
    expect(await demo.service.store.getUser(user)).toBeUndefined();
    expect(await demo.service.store.getRun(runId)).toBeUndefined();
    expect(account.watch).toBeUndefined();
    const keyRing = FileKeyRing.open(`${demo.dataDir}/keys.json`);
    const refresh = await fetch(`${demo.url}/_sim/google/token`, {
      method: 'POST',
      body: new URLSearchParams({
        grant_type: 'refresh_token',
        refresh_token: await open(keyRing, sealedToken, user),
        client_id: 'demo-client.apps.googleusercontent.com',
        client_secret: 'demo-client-secret',
      }),
    });
    expect(refresh.status).toBe(400);
    await page.goto('/app');
    expect(new URL(page.url()).pathname).toBe('/');

    expect(problems).toEqual([]);
  }, 90_000);
});
