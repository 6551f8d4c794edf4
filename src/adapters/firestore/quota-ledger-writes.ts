import { randomBytes } from 'node:crypto';
import { type DocumentReference, Timestamp } from '@google-cloud/firestore';
import type { Clock } from '../../domain/ports.js';
import { quotaDayOf } from '../../domain/quota-day.js';
import type { Logger } from '../../log.js';
import { QuotaLease } from './quota-lease.js';
import {
  type LedgerDocument,
  ledgerDocumentSchema,
  reserve,
  settle,
} from './quota-ledger-document.js';

/** gRPC codes of a write that lost a race: ALREADY_EXISTS, FAILED_PRECONDITION, ABORTED. */
const LOST_RACE = new Set([6, 9, 10]);

/** What a change of one ledger document decides: the new document (none: no write) and an answer. */
export type LedgerChange<R> = (
  document: LedgerDocument,
  now: number,
) => { document?: LedgerDocument; result: R };

export interface LedgerWritesOptions {
  /** Names this instance in the documents. */
  readonly holder: string;
  readonly leaseMs: number;
  readonly callTimeoutMs: number;
  readonly pollMs: number;
  readonly windowMs: number;
  readonly clock: Clock;
  readonly sleep: (ms: number) => Promise<void>;
  readonly log?: Logger;
}

/**
 * How the quota ledger reads and writes its documents: chunks reserved and settled by
 * optimistic compare-and-set on the document's update time, settlements tracked until they
 * are written, and nothing touches Firestore once closed (its client is about to go).
 */
export class LedgerWrites {
  private readonly settling = new Set<Promise<void>>();
  private closed = false;

  constructor(private readonly options: LedgerWritesOptions) {}

  get isClosed(): boolean {
    return this.closed;
  }

  /**
   * Reads the document, lets `change` decide, and writes only if nobody wrote in between
   * (the read's update time as precondition). Optimistic: holders that only wait take no lock,
   * and a lost race is read again. Undefined after too many lost races in a row.
   */
  async compareAndSet<R>(ref: DocumentReference, change: LedgerChange<R>): Promise<R | undefined> {
    for (let attempt = 0; attempt < 8; attempt++) {
      if (this.closed) return undefined;
      const snapshot = await ref.get();
      const now = this.options.clock.now();
      const { document, result } = change(parseLedger(snapshot.data()), now);
      if (!document) return result;
      try {
        if (snapshot.exists) {
          await ref.update(this.stored(document, now), { lastUpdateTime: snapshot.updateTime! });
        } else {
          await ref.create(this.stored(document, now));
        }
        return result;
      } catch (error) {
        if (!LOST_RACE.has((error as { code?: unknown }).code as number)) throw error;
        await this.options.sleep(Math.random() * 20 * (attempt + 1));
      }
    }
    return undefined;
  }

  /** One reservation of a chunk of at least `units`: a lease on success, else how long to wait. */
  async reserveChunk(
    ref: DocumentReference,
    units: number,
    chunk: number,
    limits: { budget: number; fair: boolean; countsDay: boolean },
  ): Promise<QuotaLease | number> {
    const { holder, windowMs, leaseMs, pollMs, clock } = this.options;
    const entryId = `${holder}-${randomBytes(6).toString('base64url')}`;
    const result = await this.compareAndSet<number | { granted: number; startBy: number }>(
      ref,
      (document, now) => {
        const answer = reserve(document, {
          holder,
          entryId,
          minUnits: units,
          chunkUnits: chunk,
          budget: limits.budget,
          windowMs,
          now,
          endBy: now + leaseMs + this.options.callTimeoutMs,
          fair: limits.fair,
          pollMs,
        });
        if ('granted' in answer) {
          return {
            document: answer.document,
            result: { granted: answer.granted, startBy: now + leaseMs },
          };
        }
        return { document: answer.changed ? answer.document : undefined, result: answer.waitMs };
      },
    );
    if (result === undefined) return pollMs;
    if (typeof result === 'number') return result;
    const lease = new QuotaLease(entryId, result.granted, result.startBy, (spent, lastEnd) =>
      this.track(
        this.update(ref, (document, now) =>
          settle(document, {
            entryId,
            spent,
            lastEnd,
            now,
            windowMs,
            countsDay: limits.countsDay,
          }),
        ),
      ),
    );
    // A lease nobody uses up is given back once it may start no more calls.
    void this.options
      .sleep(Math.max(1, result.startBy - clock.now()))
      .then(() => lease.retire(clock.now()));
    return lease;
  }

  /** Applies `change` until it is written (or the ledger is closed). */
  async update(
    ref: DocumentReference,
    change: (document: LedgerDocument, now: number) => LedgerDocument,
  ): Promise<void> {
    for (;;) {
      const done = await this.compareAndSet(ref, (document, now) => ({
        document: change(document, now),
        result: true,
      }));
      if (done || this.closed) return;
    }
  }

  /** Keeps a settling write until it is done, so that close() can wait for it. */
  track(work: Promise<void>): void {
    const tracked = work.catch((error: unknown) => {
      // The chunk keeps counting its worst case until it expires: safe, only less efficient.
      this.options.log?.warn('quota ledger write failed', { error });
    });
    this.settling.add(tracked);
    void tracked.finally(() => this.settling.delete(tracked));
  }

  /** Waits for every tracked write, then stops touching Firestore. */
  async close(): Promise<void> {
    while (this.settling.size > 0) await Promise.allSettled([...this.settling]);
    this.closed = true;
  }

  private stored(document: LedgerDocument, now: number) {
    // Kept for a few windows past the last write, then Firestore's TTL policy removes it; a
    // shard that counts a quota day is kept until that day has ended.
    const idle = now + 10 * this.options.windowMs;
    const dayEnd = document.day ? quotaDayOf(now).endsAt + 3_600_000 : 0;
    return { ...document, expireAt: Timestamp.fromMillis(Math.max(idle, dayEnd)) };
  }
}

/** A ledger document as stored (absent: empty), checked at the trust boundary. */
export function parseLedger(data: unknown): LedgerDocument {
  return ledgerDocumentSchema.parse(data ?? {});
}
