import { afterEach, describe, expect, it } from 'vitest';
import {
  type RunningGoogle,
  startSimulatedGoogle,
  TEST_CLIENT,
} from '../../../test/helpers/simulated-google.js';
import { GMAIL_UNIT_TABLES } from '../../domain/gmail-quota.js';
import { QuotaScheduler } from '../gmail/quota-scheduler.js';
import { GoogleSignIn, SignInError } from './google-sign-in.js';

const EMAIL = 'ana@example.com';

describe('GoogleSignIn', () => {
  let sim: RunningGoogle | undefined;
  afterEach(async () => {
    await sim?.close();
    sim = undefined;
  });

  const signInAs = async (email: string) => {
    sim = await startSimulatedGoogle([{ email }]);
    const ledger = new QuotaScheduler({ userUnitsPerMinute: 6_000 });
    const signIn = new GoogleSignIn({
      ...TEST_CLIENT,
      redirectUri: 'http://127.0.0.1/auth/google/callback',
      endpoints: sim.endpoints,
      authorizeUrl: sim.endpoints.authorize,
      quota: { ledger, units: GMAIL_UNIT_TABLES['2026'] },
    });
    const { url, codeVerifier } = signIn.start();
    const authorize = new URL(url);
    authorize.searchParams.set('login_hint', email);
    const { code } = sim.google.oauth.signIn(authorize);
    return { ledger, complete: () => signIn.complete(code!, codeVerifier) };
  };

  it("reads the address with getProfile and counts that unit in the user's budget", async () => {
    const { ledger, complete } = await signInAs(EMAIL);
    const signedIn = await complete();
    expect(signedIn.emailAddress).toBe(EMAIL);
    expect(sim!.google.stats.snapshot().totalUnits).toBe(1);
    expect(await ledger.projectUnitsInWindow()).toBe(1);
  });

  it('refuses the sign-in in plain words when Gmail asks to wait longer than a sign-in can', async () => {
    const { complete } = await signInAs(EMAIL);
    sim!.google.faults.inject({
      kind: 'rateLimit',
      retryAfterSeconds: 600,
      methods: ['users.getProfile'],
      count: 1,
    });
    const refused = await complete().catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(SignInError);
    expect((refused as SignInError).message).toMatch(/Gmail is busy/);
  });
});
