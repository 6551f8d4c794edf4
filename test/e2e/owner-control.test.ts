import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PlanSender } from '../../src/domain/review-plan.js';
import { type FakeOpenAi, startFakeOpenAi, VALID_KEY } from '../helpers/fake-openai.js';
import { DESKTOP, launchChromium, screenshot, watchProblems } from './browser.js';
import { type DemoService, startDemoService } from './demo-service.js';

/** Ids of the demo mailbox's messages in Trash now. */
function trashNow(demo: DemoService): Set<string> {
  return new Set(
    [...demo.google.account(demo.email).messagesAfter(undefined)]
      .filter((m) => m.labelIds.includes('TRASH'))
      .map((m) => m.id),
  );
}

const runIdOf = (page: Page) => new URL(page.url()).pathname.split('/').pop()!;

describe('the owner stays in control, in a real browser', () => {
  let demo: DemoService;
  let fake: FakeOpenAi;
  let browser: Browser;
  let page: Page;
  let problems: string[];

  const waitForStatus = async (runId: string, statuses: readonly string[]) => {
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
      const run = await demo.service.store.getRun(runId);
      if (run && statuses.includes(run.status)) return run;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`run ${runId} did not reach ${statuses.join('/')}`);
  };

  beforeAll(async () => {
    fake = await startFakeOpenAi();
    demo = await startDemoService({
      DEMO_MAILBOX_SIZE: '1500',
      GMAIL_USER_UNITS_PER_MINUTE: '300000',
      OPENAI_BASE_URL: fake.baseUrl,
    });
    browser = await launchChromium();
    const context = await browser.newContext({ viewport: DESKTOP, baseURL: demo.url });
    page = await context.newPage();
    problems = watchProblems(page);
    await page.goto('/');
    await page.getByRole('link', { name: 'Sign in with Google' }).click();
    await page.waitForURL('**/app/openai-key');
    await page.getByRole('button', { name: 'Use simple rules instead' }).click();
    await page.waitForURL('**/app?notice=rules');
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await demo?.close();
    await fake?.close();
  });

  it('shows a review, and applying it keeps two senders and trashes the rest', async () => {
    const before = trashNow(demo);
    await page.getByRole('button', { name: 'Start first full scan' }).click();
    await page.waitForURL(/\/runs\/[A-Za-z0-9_-]{22}$/);
    const runId = runIdOf(page);
    await page.locator('[data-field="status"][data-status="REVIEW"]').waitFor({ timeout: 45_000 });
    expect(trashNow(demo)).toEqual(before);
    await screenshot(page, '11-status-review');

    await page.getByRole('link', { name: 'Review the proposal' }).click();
    await page.waitForURL(`**/app/runs/${runId}`);
    const plan = (await (await page.request.get(`/api/runs/${runId}/plan`)).json()) as {
      senders: PlanSender[];
    };
    const rows = page.locator('[data-testid="proposal"] tbody tr');
    expect(await rows.count()).toBe(plan.senders.length);
    expect(await rows.first().getAttribute('data-sender')).toBe(plan.senders[0]!.key);
    await screenshot(page, '12-review-proposal');

    const kept = plan.senders.slice(0, 2).map((s) => s.address);
    for (const address of kept) await page.getByLabel(address, { exact: true }).check();
    const decided = (await demo.service.store.listBatches(runId))
      .flatMap((b) => b.decisions)
      .filter((d) => d.decision === 'trash');
    await page.getByRole('button', { name: 'Keep the ticked senders, trash the rest' }).click();
    await page.waitForURL(`**/app/runs/${runId}`);
    const done = await waitForStatus(runId, ['DONE', 'FAILED', 'CANCELLED']);
    expect(done.status).toBe('DONE');

    const trash = trashNow(demo);
    const fromKept = decided.filter((d) => kept.includes(d.sender ?? ''));
    const rest = decided.filter((d) => !kept.includes(d.sender ?? ''));
    expect(fromKept.length).toBeGreaterThan(0);
    expect(fromKept.some((d) => trash.has(d.id))).toBe(false);
    expect(rest.every((d) => trash.has(d.id))).toBe(true);
    expect(trash.size).toBe(before.size + rest.length);
    expect(done.counters.trashed).toBe(rest.length);
    await page.reload();
    await screenshot(page, '13-review-applied');

    // Demo senders live under .example, a name that is never public: nothing is sent.
    const third = plan.senders[2]!.address;
    await page.getByRole('button', { name: `Unsubscribe from ${third}` }).click();
    await page.getByRole('heading', { level: 1 }).waitFor();
    expect(await page.locator('[data-outcome]').getAttribute('data-outcome')).toBe('refused');
    await screenshot(page, '13b-unsubscribe-outcome');

    await page.getByRole('navigation').getByRole('link', { name: 'Settings' }).click();
    await page.waitForURL('**/app/settings');
    const keepList = page.getByTestId('keep-list');
    for (const address of kept) {
      expect(await keepList.getByText(address, { exact: true }).count()).toBe(1);
    }
    expect(await page.getByTestId('always-trash').textContent()).toContain(third);
    await screenshot(page, '14-settings');
  }, 90_000);

  it('leaves the mailbox alone while a review waits', async () => {
    const before = trashNow(demo);
    await page.goto('/app');
    await page.getByRole('button', { name: 'Rerun full scan with review' }).click();
    await page.waitForURL(/\/runs\/[A-Za-z0-9_-]{22}$/);
    const runId = runIdOf(page);
    await page.locator('[data-field="status"][data-status="REVIEW"]').waitFor({ timeout: 45_000 });
    await demo.service.queue.idle();
    expect(trashNow(demo)).toEqual(before);
    await page.goto('/app');
    expect(await page.getByRole('link', { name: 'Review the proposal' }).count()).toBe(1);
    await screenshot(page, '15-dashboard-review-waiting');
    expect((await demo.service.store.getRun(runId))?.counters.trashed).toBe(0);
  }, 90_000);

  it('saves settings, and the next run decides with them', async () => {
    await page.goto('/app/settings');
    await page.getByLabel('Minimum age before mail may go to Trash, in days').fill('3650');
    await page
      .getByLabel('Instructions for the LLM, in your words')
      .fill('Keep mail from my club.');
    await page.getByRole('button', { name: 'Save settings' }).click();
    await page.waitForURL('**/app/settings?notice=saved');
    await page.reload();
    expect(
      await page.getByLabel('Minimum age before mail may go to Trash, in days').inputValue(),
    ).toBe('3650');
    expect(await page.locator('.prompt-preview').textContent()).toContain(
      'Keep mail from my club.',
    );
    await screenshot(page, '16-settings-saved');

    const before = trashNow(demo);
    await page.goto('/app');
    await page.getByRole('button', { name: 'Rerun full scan and trash right away' }).click();
    await page.waitForURL(/\/runs\/[A-Za-z0-9_-]{22}$/);
    const run = await waitForStatus(runIdOf(page), ['DONE', 'FAILED', 'CANCELLED']);
    expect(run.status).toBe('DONE');
    // Nothing is ten years old in the demo mailbox: the new minimum age keeps everything.
    expect(run.counters.trashed).toBe(0);
    expect(trashNow(demo)).toEqual(before);
  }, 90_000);

  it('pauses a run at the spend cap, and raising the cap resumes it', async () => {
    await page.goto('/app/openai-key');
    await page.getByLabel('OpenAI API key').fill(VALID_KEY);
    await page.getByRole('button', { name: 'Check and save key' }).click();
    await page.waitForURL('**/app?notice=key');
    await page.goto('/app/settings');
    await page.getByLabel('Minimum age before mail may go to Trash, in days').fill('30');
    await page.getByLabel('Monthly OpenAI spend cap, in dollars').fill('0');
    await page.getByRole('button', { name: 'Save settings' }).click();
    await page.waitForURL('**/app/settings?notice=saved');

    await page.goto('/app');
    await page.getByRole('button', { name: 'Rerun full scan and trash right away' }).click();
    await page.waitForURL(/\/runs\/[A-Za-z0-9_-]{22}$/);
    const runId = runIdOf(page);
    const deadline = Date.now() + 45_000;
    while (!(await demo.service.store.getRun(runId))?.errors.at(-1)?.message.startsWith('Paused')) {
      if (Date.now() > deadline) throw new Error('the run did not pause');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await page.goto(`/app/runs/${runId}`);
    await page.getByRole('link', { name: 'Raise your monthly spend cap' }).waitFor();
    expect((await demo.service.store.getRun(runId))?.llm.calls).toBe(0);
    await screenshot(page, '17-run-paused-by-cap');

    await page.getByRole('link', { name: 'Raise your monthly spend cap' }).click();
    await page.waitForURL('**/app/settings#spend-cap');
    await page.getByLabel('Monthly OpenAI spend cap, in dollars').fill('50');
    await page.getByRole('button', { name: 'Save settings' }).click();
    await page.waitForURL('**/app/settings?notice=resumed');
    await screenshot(page, '18-settings-cap-raised');
    const done = await waitForStatus(runId, ['DONE', 'FAILED', 'CANCELLED']);
    expect(done.status).toBe('DONE');
    expect(done.llm.calls).toBeGreaterThan(0);

    expect(problems).toEqual([]);
  }, 90_000);
});
