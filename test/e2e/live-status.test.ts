import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PAUSE_MESSAGES } from '../../src/domain/classifier-errors.js';
import { countDecisions } from '../../src/domain/decide.js';
import {
  type MessageDecision,
  type Run,
  ZERO_COUNTERS,
  ZERO_USAGE,
} from '../../src/domain/model.js';
import { dailyQuotaWait } from '../../src/domain/scan-waits.js';
import { DESKTOP, launchChromium, screenshot, watchProblems } from './browser.js';
import { type DemoService, startDemoService } from './demo-service.js';

const RUN_ID = 'LiveStatusRun000000000';
const FIELDS = ['status', 'statusText', 'percent', 'processed', 'total', 'remaining'];
const MORE_FIELDS = ['trashed', 'bytes', 'freed', 'protected', 'cost', 'notes'];

function decisions(from: number, count: number): MessageDecision[] {
  return Array.from({ length: count }, (_, i) => ({
    id: `m${from + i}`,
    decision: i % 3 === 0 ? 'protected' : 'trash',
    reason: 'test',
    sender: 'someone@example.com',
    bytes: 150_000,
  }));
}

/** The texts of the live fields, as the reader sees them. */
async function fieldTexts(page: Page): Promise<Record<string, string>> {
  const texts: Record<string, string> = {};
  for (const field of [...FIELDS, ...MORE_FIELDS]) {
    texts[field] = ((await page.locator(`[data-field="${field}"]`).textContent()) ?? '').trim();
  }
  return texts;
}

describe('the status page without a session', () => {
  let demo: DemoService;
  let browser: Browser;

  beforeAll(async () => {
    demo = await startDemoService({ DEMO_MAILBOX_SIZE: '10' });
    browser = await launchChromium();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await demo?.close();
  });

  it('updates itself from the API as the run goes on, showing what the server would render', async () => {
    const { store } = demo.service;
    const now = Date.now();
    const run: Run = {
      id: RUN_ID,
      userId: 'user-live',
      kind: 'full',
      mode: 'auto',
      status: 'PROCESSING',
      scheduledAt: now - 60_000,
      startedAt: now - 60_000,
      endedAt: null,
      startHistoryId: '1',
      total: 1_000,
      batchCount: null,
      batchesDone: 0,
      counters: ZERO_COUNTERS,
      llm: ZERO_USAGE,
      errors: [],
      appliedAt: null,
    };
    await store.createRun(run);
    const planned = (batchNo: number) => ({
      batchNo,
      messageIds: decisions(batchNo * 300, 300).map((d) => d.id),
      nextPageToken: null,
      listedThrough: (batchNo + 1) * 300,
    });
    await store.putBatches(RUN_ID, [planned(0), planned(1)]);

    const context = await browser.newContext({ viewport: DESKTOP, baseURL: demo.url });
    const page = await context.newPage();
    const problems = watchProblems(page);
    await page.goto(`/runs/${RUN_ID}`);
    expect(await page.locator('meta[http-equiv="refresh"]').getAttribute('content')).toBe('30');
    expect(await page.locator('[data-field="processed"]').textContent()).toBe('0');
    // A marker that a reload would wipe: the update below must come from the script.
    await page.evaluate(() => {
      document.body.dataset.marker = 'still here';
    });

    const batch = decisions(0, 300);
    await store.completeBatch({
      runId: RUN_ID,
      batchNo: 0,
      decisions: batch,
      counters: countDecisions(batch),
      llm: { calls: 3, inputTokens: 9_000, outputTokens: 900, costUsd: 0.0042 },
      now: Date.now(),
    });
    await store.appendRunError(RUN_ID, { at: Date.now(), message: 'A plain-words note.' });
    await page.locator('[data-field="processed"]', { hasText: '300' }).waitFor();
    await page.locator('[data-field="notes"] li', { hasText: 'A plain-words note.' }).waitFor();
    expect(await page.evaluate(() => document.body.dataset.marker)).toBe('still here');
    expect(await page.locator('progress').evaluate((p) => (p as HTMLProgressElement).value)).toBe(
      30,
    );
    const live = await fieldTexts(page);
    await screenshot(page, '11-status-live');

    await page.reload();
    expect(await fieldTexts(page)).toEqual(live);
    expect(live).toMatchObject({ processed: '300', total: 'of 1,000', percent: '30%' });
    expect(await page.locator('[data-field="eta"]').textContent()).toMatch(/^About .* more/);
    expect(problems).toEqual([]);
    await context.close();
  });

  it('says in plain words what a paused or failed run is waiting for', async () => {
    const { store } = demo.service;
    const base = {
      userId: 'user-live',
      kind: 'full' as const,
      mode: 'auto' as const,
      appliedAt: null,
      scheduledAt: Date.now() - 120_000,
      startedAt: Date.now() - 120_000,
      startHistoryId: '1',
      total: 800,
      batchCount: null,
      batchesDone: 0,
      counters: { ...ZERO_COUNTERS, processed: 500, trashed: 120, bytesTrashed: 9_000_000 },
      llm: { calls: 4, inputTokens: 1, outputTokens: 1, costUsd: 0.003 },
    };
    const paused: Run = {
      ...base,
      id: 'PausedRun0000000000000',
      status: 'PROCESSING',
      endedAt: null,
      errors: [{ at: Date.now(), message: PAUSE_MESSAGES.key_rejected }],
    };
    const failed: Run = {
      ...base,
      id: 'FailedRun0000000000000',
      status: 'FAILED',
      endedAt: Date.now(),
      errors: [
        {
          at: Date.now(),
          message: 'Google access was revoked or has expired: sign in again to continue.',
        },
      ],
    };
    await store.createRun(paused);
    await store.createRun(failed);
    const context = await browser.newContext({ viewport: DESKTOP, baseURL: demo.url });
    const page = await context.newPage();

    await page.goto(`/runs/${paused.id}`);
    expect(await page.getByRole('alert').textContent()).toContain(
      'Your OpenAI key was rejected: update it to resume this run.',
    );
    expect(await page.getByRole('link', { name: 'Update your OpenAI key' }).count()).toBe(1);
    expect(await page.locator('[data-field="status"]').textContent()).toBe('Paused');
    expect(await page.locator('[data-field="eta"]').textContent()).toBe(
      'Paused until the OpenAI key is updated',
    );
    await screenshot(page, '12-status-paused');

    await page.goto(`/runs/${failed.id}`);
    expect(await page.getByRole('alert').textContent()).toContain('sign in again');
    expect(await page.getByRole('link', { name: 'Sign in again' }).count()).toBe(1);
    expect(await page.locator('meta[http-equiv="refresh"]').count()).toBe(0);
    await screenshot(page, '13-status-failed');

    // A scan waiting in line for the day's Gmail quota: the script says what the server says.
    const startsAt = Date.parse('2030-01-02T08:00:00Z');
    const waiting: Run = {
      ...base,
      id: 'WaitingRun000000000000',
      status: 'QUEUED',
      startedAt: null,
      startHistoryId: null,
      total: 0,
      counters: ZERO_COUNTERS,
      endedAt: null,
      errors: [{ at: Date.now(), message: dailyQuotaWait(startsAt) }],
    };
    await store.createRun(waiting);
    await page.goto(`/runs/${waiting.id}`);
    const said = async () => [
      await page.locator('[data-field="statusText"]').textContent(),
      await page.locator('[data-field="eta"]').textContent(),
    ];
    expect(await page.locator('.lede').textContent()).toContain(
      "it waits for Gmail's daily quota and starts 2030-01-02 08:00 UTC",
    );
    const rendered = await said();
    expect(rendered[0]).toContain('it starts at 2030-01-02 08:00 UTC');
    expect(rendered[1]).toBe(
      "Waiting in line for Gmail's daily quota: starts at 2030-01-02 08:00 UTC",
    );
    await page.waitForResponse((r) => r.url().endsWith(`/api/runs/${waiting.id}`));
    await page.waitForTimeout(200);
    expect(await said()).toEqual(rendered);
    await screenshot(page, '14-status-waiting-for-quota');
    await context.close();
  });
});
