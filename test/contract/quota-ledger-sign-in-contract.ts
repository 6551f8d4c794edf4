import { afterEach, describe, expect, it } from 'vitest';
import { googleEndpoints } from '../../src/adapters/google-auth/google-endpoints.js';
import { GoogleSignIn } from '../../src/adapters/google-auth/google-sign-in.js';
import { GMAIL_UNIT_TABLES } from '../../src/domain/gmail-quota.js';
import {
  type RunningGoogle,
  startSimulatedGoogle,
  TEST_CLIENT,
} from '../helpers/simulated-google.js';
import type { LedgerFixture, LedgerSetup } from './quota-ledger-contract.js';

/**
 * The QuotaLedger counts every unit Gmail charges, the sign-in's getProfile included, on both
 * adapters. Gmail charges that call to the user and to the project like any other: a ledger
 * that missed it let a scan fill the rest of the project's minute, and the simulated Gmail
 * (one minute, as Google counts it) answered the last call of that minute with a 429.
 */

const UNITS = GMAIL_UNIT_TABLES['2026'];
const PROJECT_BUDGET = 60;
const USERS = ['ana@example.com', 'ben@example.com', 'cy@example.com', 'dee@example.com'];

export function describeSignInQuotaContract(
  name: string,
  open: (setup: LedgerSetup) => Promise<LedgerFixture>,
): void {
  describe(name, () => {
    let fixture: LedgerFixture | undefined;
    let sim: RunningGoogle | undefined;
    afterEach(async () => {
      await fixture?.close();
      await sim?.close();
      fixture = undefined;
      sim = undefined;
    });

    it("counts each sign-in's getProfile, so spending what it says is left meets no 429 from Gmail", async () => {
      sim = await startSimulatedGoogle(
        USERS.map((email) => ({ email })),
        { userUnitsPerMinute: 6_000, projectUnitsPerMinute: PROJECT_BUDGET },
      );
      // Gmail's own one-minute window on both sides: the simulated Gmail's is fixed.
      fixture = await open({
        userUnitsPerMinute: 6_000,
        projectUnitsPerMinute: PROJECT_BUDGET,
        windowMs: 60_000,
        instances: 2,
      });
      const [signingIn, scanning] = fixture.ledgers;
      const signIn = new GoogleSignIn({
        ...TEST_CLIENT,
        redirectUri: 'http://127.0.0.1/auth/google/callback',
        endpoints: sim.endpoints,
        authorizeUrl: googleEndpoints(sim.server.url).authorize,
        quota: { ledger: signingIn!, units: UNITS },
      });
      const subs: string[] = [];
      for (const email of USERS) {
        const { url, codeVerifier } = signIn.start();
        const authorize = new URL(url);
        authorize.searchParams.set('login_hint', email);
        const { code } = sim.google.oauth.signIn(authorize);
        subs.push((await signIn.complete(code!, codeVerifier)).sub);
      }
      const charged = sim.google.stats.snapshot().totalUnits;
      expect(charged).toBe(USERS.length * UNITS['users.getProfile']);
      const counted = await scanning!.projectUnitsInWindow();
      expect(counted).toBeGreaterThanOrEqual(charged);

      // Another instance spends all the rest of the minute, one unit at a time so that any
      // shard's room can take it, on the users' own Gmail as a scan would.
      let spent = 0;
      for (let i = 0; spent < PROJECT_BUDGET - counted; i++) {
        const email = USERS[i % USERS.length]!;
        await scanning!.run(subs[i % USERS.length]!, UNITS['users.getProfile'], () =>
          sim!
            .gmailFor(email)
            .users.getProfile({ userId: 'me' }, { retry: false })
            .catch(() => {}),
        );
        spent += UNITS['users.getProfile'];
      }
      expect(sim.google.stats.snapshot().rateLimited).toBe(0);
      expect(sim.google.quota.peakProjectUnitsPerMinute).toBeLessThanOrEqual(PROJECT_BUDGET);
    });
  });
}
