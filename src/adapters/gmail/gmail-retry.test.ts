import { describe, expect, it } from 'vitest';
import { MailboxUnavailable, ReconnectNeeded } from '../../domain/mailbox-errors.js';
import { GmailCallError, parseRetryAfter, withGmailRetry } from './gmail-retry.js';
import { QuotaScheduler } from './quota-scheduler.js';

/** An error shaped like the GaxiosError the googleapis client throws for an HTTP answer. */
function httpError(status: number, reason?: string, headers: Record<string, string> = {}) {
  return Object.assign(new Error(`answered ${status}`), {
    status,
    response: {
      status,
      headers: new Headers(headers),
      data: { error: { code: status, message: 'x', errors: reason ? [{ reason }] : [] } },
    },
  });
}

const invalidGrant = () =>
  Object.assign(new Error('invalid_grant'), {
    status: 400,
    config: { url: 'https://oauth2.googleapis.com/token' },
    response: {
      status: 400,
      headers: new Headers(),
      data: { error: 'invalid_grant', error_description: 'Token has been expired or revoked.' },
    },
  });

/** A call that fails with the given errors in turn, then answers 'ok'. */
function flaky(...errors: unknown[]) {
  const calls = { count: 0 };
  const call = async () => {
    const error = errors[calls.count++];
    if (error !== undefined) throw error;
    return 'ok';
  };
  return { call, calls };
}

function fakeTime() {
  const time = { now: 1_800_000_000_000, slept: [] as number[] };
  return {
    time,
    clock: { now: () => time.now },
    sleep: async (ms: number) => {
      time.slept.push(ms);
      time.now += ms;
    },
  };
}

describe('withGmailRetry', () => {
  it('retries 5xx answers with full-jitter exponential backoff, then returns the answer', async () => {
    const { time, clock, sleep } = fakeTime();
    const { call, calls } = flaky(httpError(503), httpError(500), httpError(502));
    const result = await withGmailRetry(call, { clock, sleep, random: () => 0.999 });
    expect(result).toBe('ok');
    expect(calls.count).toBe(4);
    expect(time.slept).toEqual([499, 999, 1998]);
  });

  it('waits at least as long as Retry-After says', async () => {
    const { time, clock, sleep } = fakeTime();
    const { call } = flaky(httpError(429, 'rateLimitExceeded', { 'retry-after': '7' }));
    await withGmailRetry(call, { clock, sleep, random: () => 0 });
    expect(time.slept).toEqual([7_000]);
  });

  it('tells the scheduler to hold the whole user back for the Retry-After', async () => {
    const { time, clock, sleep } = fakeTime();
    const scheduler = new QuotaScheduler({ userUnitsPerMinute: 1_000, clock, sleep });
    const { call } = flaky(httpError(429, 'rateLimitExceeded', { 'retry-after': '7' }));
    const quota = { ledger: scheduler, userKey: 'u', units: 5 };
    await expect(withGmailRetry(call, { clock, sleep, quota, maxAttempts: 1 })).rejects.toThrow(
      MailboxUnavailable,
    );
    const started = time.now;
    await scheduler.acquire('u', 1);
    expect(time.now - started).toBe(7_000);
  });

  it('retries a 403 only when its reason is a rate limit', async () => {
    const { clock, sleep } = fakeTime();
    const limited = flaky(httpError(403, 'userRateLimitExceeded'));
    await expect(withGmailRetry(limited.call, { clock, sleep })).resolves.toBe('ok');
    const forbidden = flaky(httpError(403, 'insufficientPermissions'));
    await expect(withGmailRetry(forbidden.call, { clock, sleep })).rejects.toMatchObject({
      status: 403,
    });
    expect(forbidden.calls.count).toBe(1);
  });

  it.each([400, 401, 404])('throws a %i at once, as the client reported it', async (status) => {
    const { clock, sleep } = fakeTime();
    const { call, calls } = flaky(httpError(status, 'whatever'));
    await expect(withGmailRetry(call, { clock, sleep })).rejects.toMatchObject({ status });
    expect(calls.count).toBe(1);
  });

  it('retries dropped connections and failed fetches', async () => {
    const { clock, sleep } = fakeTime();
    const { call, calls } = flaky(
      Object.assign(new Error('request failed, reason: socket hang up'), { code: 'ECONNRESET' }),
      new TypeError('fetch failed', { cause: { code: 'UND_ERR_SOCKET' } }),
      Object.assign(new Error('connect'), { code: 'ETIMEDOUT' }),
    );
    await expect(withGmailRetry(call, { clock, sleep })).resolves.toBe('ok');
    expect(calls.count).toBe(4);
  });

  it('gives up after maxAttempts with MailboxUnavailable carrying the last Retry-After', async () => {
    const { clock, sleep } = fakeTime();
    const busy = () => httpError(429, 'rateLimitExceeded', { 'retry-after': '2' });
    const { call, calls } = flaky(busy(), busy(), busy(), busy());
    const error = await withGmailRetry(call, { clock, sleep, maxAttempts: 3 }).catch((e) => e);
    expect(error).toBeInstanceOf(MailboxUnavailable);
    expect(error.retryAfterMs).toBe(2_000);
    expect(calls.count).toBe(3);
  });

  it('does not sit out a Retry-After longer than it may wait', async () => {
    const { time, clock, sleep } = fakeTime();
    const { call, calls } = flaky(httpError(429, 'rateLimitExceeded', { 'retry-after': '600' }));
    const error = await withGmailRetry(call, { clock, sleep, maxRetryAfterMs: 60_000 }).catch(
      (e) => e,
    );
    expect(error).toBeInstanceOf(MailboxUnavailable);
    expect(error.retryAfterMs).toBe(600_000);
    expect([calls.count, time.slept]).toEqual([1, []]);
  });

  it('turns a refused refresh token into ReconnectNeeded without retrying', async () => {
    const { time, clock, sleep } = fakeTime();
    const { call, calls } = flaky(invalidGrant(), invalidGrant());
    await expect(withGmailRetry(call, { clock, sleep })).rejects.toBeInstanceOf(ReconnectNeeded);
    expect([calls.count, time.slept]).toEqual([1, []]);
  });

  it('aborts an attempt that takes longer than the timeout and tries again', async () => {
    const { clock, sleep } = fakeTime();
    let attempts = 0;
    const result = await withGmailRetry(
      (signal) => {
        attempts++;
        if (attempts > 1) return Promise.resolve('ok');
        return new Promise<string>((_, reject) =>
          signal.addEventListener('abort', () => reject(new Error('The operation was aborted.'))),
        );
      },
      { clock, sleep, timeoutMs: 20 },
    );
    expect([result, attempts]).toEqual(['ok', 2]);
  });

  it('reads retryable batch parts like client errors', async () => {
    const { time, clock, sleep } = fakeTime();
    const { call } = flaky(new GmailCallError('part', 503, 'backendError', 3_000));
    await withGmailRetry(call, { clock, sleep, random: () => 0 });
    expect(time.slept).toEqual([3_000]);
  });

  it('spends the units of every attempt before sending it', async () => {
    const { clock, sleep } = fakeTime();
    const scheduler = new QuotaScheduler({ userUnitsPerMinute: 1_000, clock, sleep });
    const { call } = flaky(httpError(503), httpError(503));
    await withGmailRetry(call, {
      clock,
      sleep,
      random: () => 0,
      quota: { ledger: scheduler, userKey: 'u', units: 20 },
    });
    expect(scheduler.peak('u')).toBe(60);
  });
});

describe('parseRetryAfter', () => {
  it('reads seconds and HTTP dates', () => {
    const now = Date.parse('2026-05-01T00:00:00Z');
    expect(parseRetryAfter('3', now)).toBe(3_000);
    expect(parseRetryAfter('Fri, 01 May 2026 00:00:10 GMT', now)).toBe(10_000);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(null, now)).toBeUndefined();
  });
});
