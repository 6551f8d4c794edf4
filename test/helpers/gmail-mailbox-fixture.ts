import type { OAuth2Client } from 'google-auth-library';
import { afterEach } from 'vitest';
import { createGmailClient } from '../../src/adapters/gmail/gmail-client.js';
import { GmailMailbox, type GmailMailboxOptions } from '../../src/adapters/gmail/gmail-mailbox.js';
import { QuotaScheduler } from '../../src/adapters/gmail/quota-scheduler.js';
import {
  type GoogleEndpoints,
  googleEndpoints,
} from '../../src/adapters/google-auth/google-endpoints.js';
import { type Listening, listen } from './listen.js';
import { type RunningGoogle, startSimulatedGoogle } from './simulated-google.js';

/** The one account of the GmailMailbox tests, its Gmail units a minute, and its push topic. */
export const OWNER = 'owner@example.com';
export const BUDGET = 600;
export const TOPIC = 'projects/clean-that-up/topics/gmail';

/**
 * One fake clock for the simulated Google and the scheduler. Waiting moves it forward at once,
 * so minutes of quota waits take no real time.
 */
function sharedClock() {
  const time = { now: 1_800_000_000_000, sleeps: 0 };
  return {
    time,
    clock: { now: () => time.now },
    sleep: async (ms: number) => {
      time.sleeps++;
      const target = time.now + ms;
      await new Promise((resolve) => setImmediate(resolve));
      time.now = Math.max(time.now, target);
    },
  };
}

/**
 * The simulated Google a GmailMailbox test talks to, started by `start` and closed after each
 * test of the describe block that calls this.
 */
export function gmailMailboxFixture() {
  let sim: RunningGoogle;
  let proxy: Listening | undefined;
  afterEach(async () => {
    await proxy?.close();
    proxy = undefined;
    await sim?.close();
  });

  async function start(size: number, userUnitsPerMinute = BUDGET) {
    const shared = sharedClock();
    sim = await startSimulatedGoogle([{ email: OWNER, mailbox: { size, seed: 11 } }], {
      userUnitsPerMinute,
      now: shared.clock.now,
      accessTokenTtlSeconds: 30 * 86_400,
      seed: 3,
    });
    const scheduler = new QuotaScheduler({ userUnitsPerMinute, ...shared });
    const mailbox = (
      overrides: Partial<GmailMailboxOptions> & {
        auth?: OAuth2Client;
        endpoints?: GoogleEndpoints;
      } = {},
    ) => {
      const auth = overrides.auth ?? sim.authFor(OWNER);
      const endpoints = overrides.endpoints ?? sim.endpoints;
      return new GmailMailbox({
        gmail: createGmailClient(auth, endpoints),
        auth,
        endpoints,
        ledger: scheduler,
        userKey: 'user-1',
        units: sim.google.units,
        retry: { random: () => 0.5 },
        ...shared,
        ...overrides,
      });
    };
    const ids = (count: number) =>
      [...sim.google.account(OWNER).messagesAfter(undefined)].slice(0, count).map((m) => m.id);
    return { ...shared, scheduler, mailbox, ids };
  }

  /** Serves the simulated Google behind a hook that may answer a request itself. */
  async function intercept(hook: (request: Request) => Response | undefined) {
    proxy = await listen(async (request) => hook(request) ?? sim.google.app.fetch(request));
    return googleEndpoints(proxy.url);
  }

  return {
    start,
    intercept,
    /** The running simulated Google of the current test. */
    get sim(): RunningGoogle {
      return sim;
    },
  };
}
