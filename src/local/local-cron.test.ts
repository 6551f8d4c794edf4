import { afterEach, describe, expect, it, vi } from 'vitest';
import { silentLogger } from '../log.js';
import { LocalCron } from './local-cron.js';

describe('LocalCron', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('calls the cron a minute after start, then every hour, until stopped', async () => {
    vi.useFakeTimers();
    let calls = 0;
    const cron = new LocalCron(async () => {
      calls++;
      return new Response(null, { status: calls === 2 ? 500 : 200 });
    }, silentLogger);
    cron.start();
    await vi.advanceTimersByTimeAsync(59_000);
    expect(calls).toBe(0);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(calls).toBe(1);
    await vi.advanceTimersByTimeAsync(60 * 60_000);
    expect(calls).toBe(2);
    // A failed call is logged and the next one still comes.
    await vi.advanceTimersByTimeAsync(60 * 60_000);
    expect(calls).toBe(3);
    cron.stop();
    await vi.advanceTimersByTimeAsync(3 * 60 * 60_000);
    expect(calls).toBe(3);
  });
});
