import { describe, expect, it } from 'vitest';
import { QuotaScheduler, type QuotaSchedulerOptions } from './quota-scheduler.js';

/** A clock that moves only when the test says so; sleepers wake when their time comes. */
class FakeTime {
  now = 1_800_000_000_000;
  sleeps = 0;
  private timers: { at: number; wake: () => void }[] = [];

  readonly clock = { now: () => this.now };
  readonly sleep = (ms: number) =>
    new Promise<void>((wake) => {
      this.sleeps++;
      this.timers.push({ at: this.now + ms, wake });
    });

  async advance(ms: number): Promise<void> {
    const target = this.now + ms;
    for (;;) {
      await flush();
      const due = this.timers.filter((t) => t.at <= target).sort((a, b) => a.at - b.at)[0];
      if (!due) break;
      this.timers.splice(this.timers.indexOf(due), 1);
      this.now = Math.max(this.now, due.at);
      due.wake();
    }
    this.now = target;
    await flush();
  }
}

async function flush(): Promise<void> {
  for (let i = 0; i < 10; i++) await Promise.resolve();
}

function setup(options: Partial<QuotaSchedulerOptions> = {}) {
  const time = new FakeTime();
  const scheduler = new QuotaScheduler({
    userUnitsPerMinute: 100,
    clock: time.clock,
    sleep: time.sleep,
    ...options,
  });
  /** Starts an acquire and records when (and in which order) it was granted. */
  const granted: string[] = [];
  const track = (label: string, user: string, units: number) => {
    const state = { done: false };
    void scheduler.acquire(user, units).then(() => {
      state.done = true;
      granted.push(label);
    });
    return state;
  };
  return { time, scheduler, granted, track };
}

describe('QuotaScheduler', () => {
  it('lets spending up to the budget through at once and holds the rest until the oldest units leave the window', async () => {
    const { time, track } = setup();
    const a = track('a', 'u', 60);
    const b = track('b', 'u', 40);
    const c = track('c', 'u', 10);
    await time.advance(0);
    expect([a.done, b.done, c.done]).toEqual([true, true, false]);
    await time.advance(59_999);
    expect(c.done).toBe(false);
    await time.advance(1);
    expect(c.done).toBe(true);
  });

  it('frees exactly as many old units as the next request needs', async () => {
    const { time, track } = setup();
    track('first', 'u', 50);
    await time.advance(10_000);
    track('second', 'u', 50);
    await time.advance(0);
    const third = track('third', 'u', 50);
    // Only the first 50 units must leave: that happens 60 s after they were spent.
    await time.advance(49_999);
    expect(third.done).toBe(false);
    await time.advance(1);
    expect(third.done).toBe(true);
  });

  it('serves the acquirers of one user in arrival order, even when a later one would fit sooner', async () => {
    const { time, track, granted } = setup();
    track('a', 'u', 50);
    await time.advance(30_000);
    track('b', 'u', 50);
    await time.advance(0);
    const big = track('big', 'u', 80);
    const small = track('small', 'u', 10);
    // At 60 s the first 50 units leave: `small` would fit, but `big` came first.
    await time.advance(30_000);
    expect([big.done, small.done]).toEqual([false, false]);
    await time.advance(30_000);
    expect([big.done, small.done]).toEqual([true, true]);
    expect(granted).toEqual(['a', 'b', 'big', 'small']);
  });

  it('keeps users apart: one user waiting does not hold back another', async () => {
    const { time, track } = setup();
    track('a1', 'alice', 100);
    const a2 = track('a2', 'alice', 10);
    const b1 = track('b1', 'bob', 100);
    await time.advance(0);
    expect([a2.done, b1.done]).toEqual([false, true]);
  });

  it('holds every user to the shared project budget, first come first served', async () => {
    const { time, track, granted } = setup({ projectUnitsPerMinute: 150 });
    track('a', 'alice', 100);
    const b = track('b', 'bob', 100);
    const c = track('c', 'carol', 40);
    await time.advance(0);
    // Bob waits for the project budget, and Carol, who would fit, does not overtake him.
    expect([b.done, c.done]).toEqual([false, false]);
    await time.advance(60_000);
    expect(granted).toEqual(['a', 'b', 'c']);
  });

  it('holds a user back for the Retry-After of a 429, and only that user', async () => {
    const { time, scheduler, track } = setup();
    scheduler.penalize('alice', 5_000);
    const a = track('a', 'alice', 1);
    const b = track('b', 'bob', 1);
    await time.advance(4_999);
    expect([a.done, b.done]).toEqual([false, true]);
    await time.advance(1);
    expect(a.done).toBe(true);
  });

  it('counts a call in flight until it ends, and for a full window after that', async () => {
    const { time, scheduler, track } = setup();
    let finish!: () => void;
    const running = scheduler.run(
      'u',
      100,
      () => new Promise<void>((resolve) => (finish = resolve)),
    );
    await time.advance(90_000);
    const next = track('next', 'u', 1);
    await time.advance(0);
    expect(next.done).toBe(false);
    finish();
    await running;
    await time.advance(59_999);
    expect(next.done).toBe(false);
    await time.advance(1);
    expect(next.done).toBe(true);
  });

  it('frees the units of a call that failed the same way as one that succeeded', async () => {
    const { time, scheduler, track } = setup();
    await expect(scheduler.run('u', 100, () => Promise.reject(new Error('boom')))).rejects.toThrow(
      'boom',
    );
    const next = track('next', 'u', 1);
    await time.advance(60_000);
    expect(next.done).toBe(true);
  });

  it('keeps the safety margin unspent', async () => {
    const { time, scheduler, track } = setup({ safetyMarginUnits: 10 });
    expect(scheduler.maxUnits).toBe(90);
    track('a', 'u', 90);
    const b = track('b', 'u', 1);
    await time.advance(0);
    expect(b.done).toBe(false);
  });

  it('refuses a request that could never fit the budget', async () => {
    const { scheduler } = setup();
    await expect(scheduler.acquire('u', 101)).rejects.toThrow(RangeError);
  });

  it('waits on a timer, not by polling', async () => {
    const { time, track } = setup();
    track('a', 'u', 100);
    const waiters = Array.from({ length: 5 }, (_, i) => track(`w${i}`, 'u', 20));
    await time.advance(60_000);
    expect(waiters.every((w) => w.done)).toBe(true);
    expect(time.sleeps).toBe(1);
  });

  it('never lets more than the budget into any rolling minute under an uneven load', async () => {
    const { time, scheduler } = setup({ userUnitsPerMinute: 600 });
    const spends: { at: number; units: number }[] = [];
    let seed = 7;
    const random = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const worker = async () => {
      for (let i = 0; i < 40; i++) {
        const units = [1, 2, 5, 20, 50, 100][Math.floor(random() * 6)]!;
        await scheduler.acquire('u', units);
        spends.push({ at: time.now, units });
      }
    };
    const workers = Promise.all([worker(), worker(), worker()]);
    while (spends.length < 120) await time.advance(1_000);
    await workers;
    for (const spend of spends) {
      const inMinute = spends
        .filter((s) => s.at <= spend.at && s.at > spend.at - 60_000)
        .reduce((sum, s) => sum + s.units, 0);
      expect(inMinute).toBeLessThanOrEqual(600);
    }
    expect(scheduler.peak('u')).toBeLessThanOrEqual(600);
    expect(scheduler.peak('u')).toBeGreaterThan(500);
  });

  it('forgets users that have been idle for a window', async () => {
    const { time, scheduler } = setup();
    await Promise.all(['a', 'b', 'c'].map((user) => scheduler.acquire(user, 10)));
    expect(scheduler.trackedUsers).toBe(3);
    await time.advance(120_000);
    await scheduler.acquire('d', 1);
    expect(scheduler.trackedUsers).toBe(1);
  });
});
