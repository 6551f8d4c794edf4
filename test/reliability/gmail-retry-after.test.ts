import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withGmailRetry } from '../../src/adapters/gmail/gmail-retry.js';
import { QuotaScheduler } from '../../src/adapters/gmail/quota-scheduler.js';
import { type RunningGoogle, startSimulatedGoogle } from '../helpers/simulated-google.js';

const OWNER = 'retry-after@example.com';

/** Gmail's Retry-After as the real googleapis client delivers it (not a test double's Headers). */
describe('Retry-After from the googleapis client', () => {
  let google: RunningGoogle;
  beforeAll(async () => {
    google = await startSimulatedGoogle([{ email: OWNER, mailbox: { size: 5 } }]);
  });
  afterAll(() => google?.close());

  it('waits as long as Gmail says and holds the whole user back meanwhile', async () => {
    google.google.faults.inject({ kind: 'rateLimit', retryAfterSeconds: 7, count: 1 });
    let now = 1_000_000;
    const clock = { now: () => now };
    const slept: number[] = [];
    const sleep = async (ms: number) => {
      slept.push(ms);
      now += ms;
    };
    const scheduler = new QuotaScheduler({ userUnitsPerMinute: 6_000, clock, sleep });
    const gmail = google.gmailFor(OWNER);
    const profile = await withGmailRetry(
      (signal) => gmail.users.getProfile({ userId: 'me' }, { signal }),
      { quota: { ledger: scheduler, userKey: 'u', units: 1 }, clock, sleep, random: () => 0 },
    );
    expect(profile.data.emailAddress).toBe(OWNER);
    expect(Math.max(...slept)).toBeGreaterThanOrEqual(7_000);
  });
});
