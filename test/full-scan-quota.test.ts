import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type StartedService, signIn, startLocalService } from './helpers/local-service.js';
import { type RunningGoogle, startSimulatedGoogle } from './helpers/simulated-google.js';
import { timeWarp } from './helpers/time-warp.js';

const OWNER = 'budget@example.com';
const BUDGET = 6_000;

describe.each([
  { strategy: 'by-message', minUnits: 20, maxUnits: 21 },
  { strategy: 'by-sender', minUnits: 0.5, maxUnits: 4 },
])('a full scan $strategy at the per-user Gmail budget', ({ strategy, minUnits, maxUnits }) => {
  let google: RunningGoogle;
  let started: StartedService;
  /** One real second is one simulated minute, for both Gmail and the service. */
  let warp: ReturnType<typeof timeWarp>;

  beforeAll(async () => {
    // A fresh warp per run: id tokens are checked against real time, so it must start at now.
    warp = timeWarp(60);
    google = await startSimulatedGoogle([{ email: OWNER, mailbox: { size: 1_500, seed: 11 } }], {
      userUnitsPerMinute: BUDGET,
      now: warp.now,
    });
    started = await startLocalService(google, {
      env: { GMAIL_USER_UNITS_PER_MINUTE: String(BUDGET), SCAN_STRATEGY: strategy },
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
    expect(start.status, await start.clone().text()).toBe(303);
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
      `quota run ${strategy}: ${processed} messages, ${stats.totalUnits} units (${unitsPerMessage.toFixed(2)} per message), ` +
        `${minutes.toFixed(1)} simulated minutes, ${Math.round(processed / minutes)} messages per minute at ${BUDGET} units/min, ` +
        `peak ${google.google.quota.peakUserUnitsPerMinute(OWNER)} units/min, 429s ${stats.rateLimited}`,
    );
    expect(unitsPerMessage).toBeGreaterThan(minUnits);
    expect(unitsPerMessage).toBeLessThan(maxUnits);
  }, 120_000);
});
