import { afterEach, describe, expect, it } from 'vitest';
import { quotaDayOf } from '../../src/domain/quota-day.js';
import type { QuotaLedger } from '../../src/domain/quota-ledger.js';

/**
 * The QuotaLedger contract, run against the in-process scheduler and the Firestore ledger on
 * the real emulator. `instances` ledgers stand for that many service instances: the local
 * adapter serves one process, so it hands out the same ledger each time.
 */

export interface LedgerSetup {
  readonly userUnitsPerMinute: number;
  readonly projectUnitsPerMinute: number;
  readonly windowMs: number;
  readonly instances: number;
  readonly projectUnitsPerDay?: number;
  /** The ledgers' clock (default real time). */
  readonly clock?: { now(): number };
}

export interface LedgerFixture {
  readonly ledgers: readonly QuotaLedger[];
  close(): Promise<void>;
}

interface CallRecord {
  readonly user: string;
  readonly units: number;
  readonly start: number;
  readonly end: number;
}

/**
 * The most units any rolling window could have been charged: a call is charged at some moment
 * between its start and its end, so every call that overlaps a window may count in it.
 */
export function peakUnits(records: readonly CallRecord[], windowMs: number): number {
  let peak = 0;
  for (const r of records) {
    const t = r.end;
    const sum = records
      .filter((o) => o.end >= t && o.start < t + windowMs)
      .reduce((total, o) => total + o.units, 0);
    peak = Math.max(peak, sum);
  }
  return peak;
}

const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export function describeQuotaLedgerContract(
  name: string,
  open: (setup: LedgerSetup) => Promise<LedgerFixture>,
): void {
  describe(name, () => {
    let fixture: LedgerFixture | undefined;
    // A new list per test: calls of a test that failed must not land in the next one's.
    let records: CallRecord[] = [];
    afterEach(async () => {
      records = [];
      await fixture?.close();
      fixture = undefined;
    });
    const start = async (setup: LedgerSetup) => {
      fixture = await open(setup);
      return fixture.ledgers;
    };
    const timed = (ledger: QuotaLedger, user: string, units: number, ms = 5) => {
      const into = records;
      return ledger.run(user, units, async () => {
        const begin = Date.now();
        await pause(ms);
        into.push({ user, units, start: begin, end: Date.now() });
        return units;
      });
    };

    it('runs a call that fits and hands back its result', async () => {
      const [ledger] = await start({
        userUnitsPerMinute: 600,
        projectUnitsPerMinute: 6_000,
        windowMs: 1_000,
        instances: 1,
      });
      await expect(ledger!.run('user-a', 100, async () => 'answer')).resolves.toBe('answer');
    });

    it('refuses a call that could never fit the budget and runs nothing', async () => {
      const [ledger] = await start({
        userUnitsPerMinute: 600,
        projectUnitsPerMinute: 6_000,
        windowMs: 1_000,
        instances: 1,
      });
      let ran = false;
      await expect(
        ledger!.run('user-a', ledger!.maxUnits + 1, async () => {
          ran = true;
        }),
      ).rejects.toThrow(RangeError);
      expect(ran).toBe(false);
    });

    it('keeps one user within budget in every rolling window, whatever instance calls', async () => {
      const setup = {
        userUnitsPerMinute: 500,
        projectUnitsPerMinute: 40_000,
        windowMs: 2_000,
        instances: 3,
      };
      const ledgers = await start(setup);
      await Promise.all(
        ledgers.map(async (ledger) => {
          for (let i = 0; i < 4; i++) await timed(ledger, 'user-a', 100);
        }),
      );
      expect(records).toHaveLength(12);
      expect(peakUnits(records, setup.windowMs)).toBeLessThanOrEqual(500);
    });

    it('keeps the project within budget in every rolling window, all users together', async () => {
      const setup = {
        userUnitsPerMinute: 1_000,
        projectUnitsPerMinute: 800,
        windowMs: 2_000,
        instances: 3,
      };
      const ledgers = await start(setup);
      await Promise.all(
        ledgers.flatMap((ledger, i) =>
          ['user-a', 'user-b'].map(async (user) => {
            for (let n = 0; n < 3; n++) await timed(ledger, `${user}-${i}`, 100);
          }),
        ),
      );
      expect(records).toHaveLength(18);
      expect(peakUnits(records, setup.windowMs)).toBeLessThanOrEqual(800);
    });

    it('holds the user back on every instance after Gmail asked to wait', async () => {
      const ledgers = await start({
        userUnitsPerMinute: 600,
        projectUnitsPerMinute: 6_000,
        windowMs: 1_000,
        instances: 2,
      });
      const penalizedAt = Date.now();
      await ledgers[0]!.penalize('user-a', 700);
      await timed(ledgers[1]!, 'user-a', 100);
      await timed(ledgers[1]!, 'user-b', 100);
      const [held, other] = records;
      expect(held!.start).toBeGreaterThanOrEqual(penalizedAt + 700);
      expect(other!.user).toBe('user-b');
    });

    it('reports the units every instance counted in the project window', async () => {
      const ledgers = await start({
        userUnitsPerMinute: 600,
        projectUnitsPerMinute: 6_000,
        windowMs: 60_000,
        instances: 2,
      });
      await timed(ledgers[0]!, 'user-a', 100);
      await timed(ledgers[1]!, 'user-b', 40);
      await fixture?.close();
      // Chunks are settled to what was spent: no more, no less than the calls asked for.
      expect(await ledgers[0]!.projectUnitsInWindow()).toBe(140);
    });

    it('does not starve a short sync behind a long scan of the same user', async () => {
      const ledgers = await start({
        userUnitsPerMinute: 300,
        projectUnitsPerMinute: 30_000,
        windowMs: 1_500,
        instances: 2,
      });
      const scanner = ledgers[0]!;
      const syncer = ledgers[ledgers.length - 1]!;
      const scan = (async () => {
        for (let i = 0; i < 12; i++) await timed(scanner, 'user-a', 100, 1);
      })();
      while (records.length < 4) await pause(5);
      await timed(syncer, 'user-a', 100, 1);
      const syncAt = records.length - 1;
      await scan;
      // The sync came in after the scan's fourth call and waited for at most a window's worth.
      expect(syncAt).toBeLessThan(4 + 6);
      expect(records).toHaveLength(13);
    });

    it('gives back units reserved but not spent, so another instance can spend them at once', async () => {
      const setup = {
        userUnitsPerMinute: 1_000,
        projectUnitsPerMinute: 100_000,
        windowMs: 5_000,
        instances: 2,
      };
      const ledgers = await start(setup);
      await timed(ledgers[0]!, 'user-a', 100);
      const first = records[0]!;
      for (let i = 0; i < 9; i++) await timed(ledgers[1]!, 'user-a', 100);
      // Nine more calls fit next to the first one only if nothing else holds the budget.
      expect(records.every((r) => r.start < first.end + setup.windowMs)).toBe(true);
      expect(peakUnits(records, setup.windowMs)).toBe(1_000);
    });
    describe("the day's project budget", () => {
      const daily = (instances: number, clock?: { now(): number }) =>
        start({
          userUnitsPerMinute: 6_000,
          projectUnitsPerMinute: 60_000,
          projectUnitsPerDay: 10_000,
          windowMs: 60_000,
          instances,
          ...(clock ? { clock } : {}),
        });

      it('admits full scans while they fit what is left of today, and names the next Pacific midnight for the rest', async () => {
        const ledgers = await daily(2);
        for (const [i, scan] of ['a', 'b', 'c', 'd'].entries()) {
          expect(await ledgers[i % 2]!.admitScan(scan, 2_400)).toEqual({ admitted: true });
        }
        const now = Date.now();
        const refused = await ledgers[1]!.admitScan('e', 2_400);
        expect(refused).toEqual({ admitted: false, startsAt: quotaDayOf(now).endsAt });
        const today = await ledgers[0]!.unitsToday();
        expect(today).toMatchObject({ budget: 10_000, committed: 9_600, spent: 0 });
        expect(today.day).toBe(quotaDayOf(now).day);
      });

      it('admits every scan asked for at once from several instances spending the budget while today has room', async () => {
        const ledgers = await start({
          userUnitsPerMinute: 6_000,
          projectUnitsPerMinute: 60_000,
          projectUnitsPerDay: 1_000_000,
          windowMs: 60_000,
          instances: 3,
        });
        const scans = Array.from({ length: 40 }, (_, i) => `scan-${i}`);
        // Calls reserving chunks write the same project shards as the admissions.
        const spending = Array.from({ length: 60 }, (_, i) =>
          timed(ledgers[i % 3]!, `user-${i}`, 10),
        );
        const answers = await Promise.all(
          scans.map((scan, i) => ledgers[i % 3]!.admitScan(scan, 200)),
        );
        await Promise.all(spending);
        expect(answers).toEqual(scans.map(() => ({ admitted: true })));
        expect((await ledgers[0]!.unitsToday()).committed).toBe(8_000);
      });

      it('admits the same scan once, whatever instance asks again', async () => {
        const ledgers = await daily(2);
        expect(await ledgers[0]!.admitScan('a', 2_400)).toEqual({ admitted: true });
        expect(await ledgers[1]!.admitScan('a', 2_400)).toEqual({ admitted: true });
        expect((await ledgers[1]!.unitsToday()).committed).toBe(2_400);
      });

      it('lets a waiting scan in once a finished one gives its promise back', async () => {
        const ledgers = await daily(2);
        for (const scan of ['a', 'b', 'c', 'd']) await ledgers[0]!.admitScan(scan, 2_400);
        expect((await ledgers[1]!.admitScan('e', 2_400)).admitted).toBe(false);
        await ledgers[1]!.releaseScan('a');
        expect(await ledgers[1]!.admitScan('e', 2_400)).toEqual({ admitted: true });
        expect((await ledgers[0]!.unitsToday()).committed).toBe(9_600);
      });

      it('counts the units every instance spent into today', async () => {
        const ledgers = await daily(2);
        await timed(ledgers[0]!, 'user-a', 100);
        await timed(ledgers[1]!, 'user-b', 40);
        await fixture?.close();
        expect((await ledgers[0]!.unitsToday()).spent).toBe(140);
      });

      it('starts every count afresh when the Pacific day turns', async () => {
        let now = Date.now();
        const ledgers = await daily(2, { now: () => now });
        for (const scan of ['a', 'b', 'c', 'd']) await ledgers[0]!.admitScan(scan, 2_400);
        const refused = await ledgers[1]!.admitScan('e', 2_400);
        expect(refused.admitted).toBe(false);
        now = refused.admitted ? now : refused.startsAt;
        expect(await ledgers[1]!.admitScan('e', 2_400)).toEqual({ admitted: true });
        expect(await ledgers[0]!.unitsToday()).toMatchObject({ committed: 2_400, spent: 0 });
      });
    });
  });
}
