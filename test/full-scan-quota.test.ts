import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type StartedService, signIn, startLocalService } from './helpers/local-service.js';
import { type RunningGoogle, startSimulatedGoogle } from './helpers/simulated-google.js';
import { timeWarp } from './helpers/time-warp.js';

const OWNER = 'budget@example.com';
const BUDGET = 6_000;
/** One real second is one simulated minute, for both Gmail and the service. */
const warp = timeWarp(60);

describe('a full scan at the per-user Gmail budget', () => {
  let google: RunningGoogle;
  let started: StartedService;

  beforeAll(async () => {
    google = await startSimulatedGoogle([{ email: OWNER, mailbox: { size: 1_500, seed: 11 } }], {
      userUnitsPerMinute: BUDGET,
      now: warp.now,
    });
    started = await startLocalService(google, {
      env: { GMAIL_USER_UNITS_PER_MINUTE: String(BUDGET) },
      timing: { clock: warp.clock, sleep: warp.sleep },
    });
  }, 60_000);
  afterAll(async () => {
    await started?.close();
    await google?.close();
  });

  it('finishes without a single 429 and never spends more than the budget in a minute', async () => {
    const { client } = started;
    await signIn(client);
    await client.post('/app/openai-key', { rulesOnly: '1' });
    const begin = warp.now();
    const start = await client.post('/app/runs');
    const runId = start.headers.get('location')!.replace('/runs/', '');
    let run = await started.service.store.getRun(runId);
    while (run && run.status !== 'DONE' && run.status !== 'FAILED') {
      await new Promise((resolve) => setTimeout(resolve, 100));
      run = await started.service.store.getRun(runId);
    }
    const minutes = (warp.now() - begin) / 60_000;
    expect(run?.status).toBe('DONE');
    const stats = google.google.stats.snapshot(OWNER);
    expect(stats.rateLimited).toBe(0);
    expect(google.google.quota.peakUserUnitsPerMinute(OWNER)).toBeLessThanOrEqual(BUDGET);

    const processed = run!.counters.processed;
    const unitsPerMessage = stats.totalUnits / processed;
    // Figures for the record (README, issue notes); not assertions.
    console.log(
      `quota run: ${processed} messages, ${stats.totalUnits} units (${unitsPerMessage.toFixed(2)} per message), ` +
        `${minutes.toFixed(1)} simulated minutes, ${Math.round(processed / minutes)} messages per minute at ${BUDGET} units/min, ` +
        `peak ${google.google.quota.peakUserUnitsPerMinute(OWNER)} units/min, 429s ${stats.rateLimited}`,
    );
    expect(unitsPerMessage).toBeGreaterThan(20);
    expect(unitsPerMessage).toBeLessThan(21);
  }, 120_000);
});
