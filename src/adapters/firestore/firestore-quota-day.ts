import type { CollectionReference } from '@google-cloud/firestore';
import type { Clock } from '../../domain/ports.js';
import {
  admitToDay,
  committedUnits,
  type DayLedger,
  dayLedgerAt,
  quotaDayOf,
  releaseFromDay,
} from '../../domain/quota-day.js';
import type { QuotaDayUsage, ScanAdmission } from '../../domain/quota-ledger.js';
import type { LedgerDocument } from './quota-ledger-document.js';
import type { LedgerWrites } from './quota-ledger-writes.js';
import { parseLedger } from './quota-ledger-writes.js';

/** Passes over the shards before an admission gives up for this attempt of its task. */
const ADMISSION_PASSES = 5;

export interface FirestoreQuotaDayOptions {
  /** The project shards (`gmailQuotaProject/{n}`): each counts its part of the day. */
  readonly shards: CollectionReference;
  readonly shardCount: number;
  readonly budget: number;
  readonly writes: LedgerWrites;
  readonly clock: Clock;
}

/**
 * The daily project budget in Firestore, sharded like the minute budget: each project shard
 * counts the units of the chunks settled into it and the scans admitted into it, against its
 * share of the day. A scan is admitted into the first shard with room for its estimate (its
 * own shard by hash first, so retries find it), and the day is whatever the shards say:
 * admissions cost one write on one shard, never a hot document.
 */
export class FirestoreQuotaDay {
  private readonly shareBudget: number;

  constructor(private readonly options: FirestoreQuotaDayOptions) {
    this.shareBudget = Math.floor(options.budget / options.shardCount);
  }

  async admit(scanKey: string, units: number): Promise<ScanAdmission> {
    const now = this.options.clock.now();
    const days = await this.readDays(now);
    if (days.some(({ ledger }) => scanKey in ledger.scans)) return { admitted: true };
    // Emptiest shards first: a big scan finds the room that is there.
    const order = [...days].sort((a, b) => used(a) - used(b));
    // A shard whose writes kept losing races (chunk reservations write the same documents) said
    // nothing about room: only a day with no room in any shard sends the scan to tomorrow.
    for (let pass = 0; pass < ADMISSION_PASSES; pass++) {
      let lostRace = false;
      for (const { shard } of order) {
        const admitted = await this.options.writes.compareAndSet(
          this.options.shards.doc(String(shard)),
          (document, at) => {
            const answer = admitToDay(document.day, {
              scanKey,
              units,
              budget: this.shareBudget - unsettledUnits(document, at),
              now: at,
            });
            return {
              document: answer.admitted ? { ...document, day: answer.ledger } : undefined,
              result: answer.admitted,
            };
          },
        );
        if (admitted) return { admitted: true };
        if (admitted === undefined) lostRace = true;
      }
      if (!lostRace) return { admitted: false, startsAt: quotaDayOf(now).endsAt };
    }
    // Neither admitted nor refused: the task fails and Cloud Tasks retries it.
    throw new Error('the daily quota ledger stayed contended; the scan is admitted on a retry');
  }

  async release(scanKey: string): Promise<void> {
    const now = this.options.clock.now();
    for (const { shard, ledger } of await this.readDays(now)) {
      if (!(scanKey in ledger.scans)) continue;
      await this.options.writes.update(this.options.shards.doc(String(shard)), (document, at) => ({
        ...document,
        day: releaseFromDay(document.day, scanKey, at),
      }));
    }
  }

  async usage(): Promise<QuotaDayUsage> {
    const now = this.options.clock.now();
    const days = await this.readDays(now);
    const bounds = quotaDayOf(now);
    return {
      day: bounds.day,
      budget: this.options.budget,
      spent: days.reduce((sum, { ledger, unsettled }) => sum + ledger.spent + unsettled, 0),
      committed: days.reduce((sum, { ledger }) => sum + committedUnits(ledger), 0),
      endsAt: bounds.endsAt,
    };
  }

  /** Every shard's account of today, absent shards as empty ones. */
  private async readDays(now: number): Promise<ShardDay[]> {
    const snapshot = await this.options.shards.get();
    const stored = new Map(snapshot.docs.map((doc) => [doc.id, parseLedger(doc.data())]));
    return Array.from({ length: this.options.shardCount }, (_, shard) => {
      const document = stored.get(String(shard));
      return {
        shard,
        ledger: dayLedgerAt(document?.day, now),
        unsettled: document ? unsettledUnits(document, now) : 0,
      };
    });
  }
}

interface ShardDay {
  readonly shard: number;
  readonly ledger: DayLedger;
  /** Units of chunks still out: counted into the day once settled, meanwhile in full. */
  readonly unsettled: number;
}

function used(day: ShardDay): number {
  return day.ledger.spent + day.unsettled + committedUnits(day.ledger);
}

/** A chunk not yet settled counts until its worst-case end, which is still ahead. */
function unsettledUnits(document: LedgerDocument, now: number): number {
  return Object.values(document.entries)
    .filter((entry) => entry.at > now)
    .reduce((sum, entry) => sum + entry.units, 0);
}
