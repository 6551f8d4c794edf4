import { randomBytes } from 'node:crypto';
import type { DocumentReference, Firestore } from '@google-cloud/firestore';
import type { Clock } from '../../domain/ports.js';
import { DEFAULT_PROJECT_UNITS_PER_DAY } from '../../domain/quota-day.js';
import type {
  QuotaBudgets,
  QuotaDayUsage,
  QuotaLedger,
  ScanAdmission,
} from '../../domain/quota-ledger.js';
import type { Logger } from '../../log.js';
import { FirestoreQuotaDay } from './firestore-quota-day.js';
import { QuotaLease } from './quota-lease.js';
import { prune, usedUnits } from './quota-ledger-document.js';
import { LedgerWrites, parseLedger } from './quota-ledger-writes.js';

export interface FirestoreQuotaLedgerOptions extends QuotaBudgets {
  readonly firestore: Firestore;
  /** Documents the project budget is split over, so none takes more than ~1 write a second. */
  readonly projectShards?: number;
  /** Units one instance reserves for a user at a time (default a third of the budget, ≤ 2,000). */
  readonly userChunkUnits?: number;
  /** Units one instance reserves of the project at a time (default ≤ 20,000). */
  readonly projectChunkUnits?: number;
  /** How long a chunk may start calls (default 5 s). */
  readonly leaseMs?: number;
  /** The longest a Gmail call can take (the retry policy aborts it then; default 35 s). */
  readonly callTimeoutMs?: number;
  /** The longest a refused reservation waits before asking again (default 1 s). */
  readonly pollMs?: number;
  readonly clock?: Clock;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly log?: Logger;
  /** Names this instance in the documents (default random). */
  readonly holder?: string;
}

interface UserState {
  tail: Promise<unknown>;
  lease: QuotaLease | undefined;
  heldUntil: number;
  pending: number;
}

/** Where the ledger lives: `gmailQuotaUsers/{userKey}`, `gmailQuotaProject/{shard}`. */
export const QUOTA_USERS = 'gmailQuotaUsers';
export const QUOTA_PROJECT = 'gmailQuotaProject';

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * gcp mode's QuotaLedger: the per-user and per-project Gmail budgets shared by every instance
 * through Firestore. An instance reserves units in chunks (one transaction per chunk, one to
 * settle it), spends them on its calls, and gives back what it did not spend. Refused holders
 * of a user's budget queue in its document, so a sync on one instance is not starved by a scan
 * on another. Documents expire through a TTL policy on `expireAt`.
 */
export class FirestoreQuotaLedger implements QuotaLedger {
  readonly maxUnits: number;
  private readonly windowMs: number;
  private readonly shards: number;
  private readonly shardBudget: number;
  private readonly userChunk: number;
  private readonly projectChunk: number;
  private readonly leaseMs: number;
  private readonly callTimeoutMs: number;
  private readonly pollMs: number;
  private readonly clock: Clock;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly holder: string;
  private readonly users = new Map<string, UserState>();
  private projectLease: QuotaLease | undefined;
  private projectReserving: Promise<void> | undefined;
  private readonly writes: LedgerWrites;
  private readonly day: FirestoreQuotaDay;

  constructor(private readonly options: FirestoreQuotaLedgerOptions) {
    this.windowMs = options.windowMs ?? 60_000;
    // One shard per 120,000 units a minute (10 for Gmail's 1,200,000): each then sees a few
    // reservations a minute, far below Firestore's write rate per document.
    this.shards =
      options.projectShards ??
      Math.min(10, Math.max(1, Math.ceil(options.projectUnitsPerMinute / 120_000)));
    this.shardBudget = Math.floor(options.projectUnitsPerMinute / this.shards);
    this.maxUnits = Math.min(options.userUnitsPerMinute, this.shardBudget);
    if (!(this.maxUnits > 0)) throw new RangeError('the quota budget leaves no units to spend');
    this.userChunk =
      options.userChunkUnits ?? Math.min(2_000, Math.floor(options.userUnitsPerMinute / 3));
    this.projectChunk =
      options.projectChunkUnits ?? Math.min(20_000, Math.floor(this.shardBudget / 4));
    this.leaseMs = options.leaseMs ?? 5_000;
    this.callTimeoutMs = options.callTimeoutMs ?? 35_000;
    this.pollMs = options.pollMs ?? 1_000;
    this.clock = options.clock ?? { now: Date.now };
    this.sleep = options.sleep ?? realSleep;
    this.holder = options.holder ?? randomBytes(9).toString('base64url');
    this.writes = new LedgerWrites({
      holder: this.holder,
      leaseMs: this.leaseMs,
      callTimeoutMs: this.callTimeoutMs,
      pollMs: this.pollMs,
      windowMs: this.windowMs,
      clock: this.clock,
      sleep: this.sleep,
      ...(options.log ? { log: options.log } : {}),
    });
    this.day = new FirestoreQuotaDay({
      shards: options.firestore.collection(QUOTA_PROJECT),
      shardCount: this.shards,
      budget: options.projectUnitsPerDay ?? DEFAULT_PROJECT_UNITS_PER_DAY,
      writes: this.writes,
      clock: this.clock,
    });
  }

  async run<T>(userKey: string, units: number, call: () => Promise<T>): Promise<T> {
    if (!Number.isFinite(units) || units < 0) throw new RangeError(`invalid units: ${units}`);
    if (units > this.maxUnits) {
      throw new RangeError(`${units} units never fit a budget of ${this.maxUnits} per window`);
    }
    const user = this.user(userKey);
    user.pending++;
    // One line per user in this instance: calls are let through in the order they asked.
    const turn = user.tail.then(() => this.grant(userKey, user, units));
    user.tail = turn.catch(() => {});
    let leases: readonly [QuotaLease, QuotaLease];
    try {
      leases = await turn;
    } finally {
      user.pending--;
    }
    try {
      return await call();
    } finally {
      const now = this.clock.now();
      for (const lease of leases) lease.done(now);
      this.forgetIdle(userKey, user);
    }
  }

  async penalize(userKey: string, ms: number): Promise<void> {
    const until = this.clock.now() + ms;
    const user = this.user(userKey);
    user.heldUntil = Math.max(user.heldUntil, until);
    // Every instance holds the user back, not only the one that was answered 429.
    await this.writes
      .update(this.userRef(userKey), (document) => ({
        ...document,
        heldUntil: Math.max(document.heldUntil, until),
      }))
      .catch((error: unknown) => {
        // This instance still holds back; the others meet Gmail's 429 themselves.
        this.options.log?.warn('quota ledger hold not recorded', { error });
      });
  }

  async projectUnitsInWindow(): Promise<number> {
    const shards = await this.options.firestore.collection(QUOTA_PROJECT).get();
    const now = this.clock.now();
    return shards.docs.reduce(
      (sum, doc) => sum + usedUnits(prune(parseLedger(doc.data()), now, this.windowMs)),
      0,
    );
  }

  admitScan(scanKey: string, units: number): Promise<ScanAdmission> {
    return this.day.admit(scanKey, units);
  }

  releaseScan(scanKey: string): Promise<void> {
    return this.day.release(scanKey);
  }

  unitsToday(): Promise<QuotaDayUsage> {
    return this.day.usage();
  }

  /** Waits until every chunk this instance holds has been settled (on shutdown, in tests). */
  async close(): Promise<void> {
    const now = this.clock.now();
    for (const user of this.users.values()) user.lease?.retire(now);
    this.projectLease?.retire(now);
    // Settled: from then on nothing touches Firestore (its client is about to go).
    await this.writes.close();
  }

  /** Takes the call's units from fresh user and project chunks, reserving more as needed. */
  private async grant(userKey: string, user: UserState, units: number) {
    const asked = this.clock.now();
    let reservations = 0;
    for (;;) {
      const now = this.clock.now();
      if (user.heldUntil > now) {
        await this.sleep(user.heldUntil - now);
        continue;
      }
      if (!user.lease?.take(units, now)) {
        user.lease?.retire(now);
        user.lease = await this.reserveUser(userKey, units);
        reservations++;
        continue;
      }
      const userLease = user.lease;
      const projectLease = await this.takeProject(units);
      // Waiting for the project may have outlived the user's chunk: its calls must start in time.
      if (this.clock.now() < userLease.startBy && this.clock.now() < projectLease.startBy) {
        this.options.log?.debug('quota granted', {
          units,
          waitedMs: this.clock.now() - asked,
          reservations,
        });
        return [userLease, projectLease] as const;
      }
      userLease.giveBack(units);
      projectLease.giveBack(units);
    }
  }

  private async takeProject(units: number): Promise<QuotaLease> {
    for (;;) {
      const lease = this.projectLease;
      if (lease?.take(units, this.clock.now())) return lease;
      if (!this.projectReserving) {
        lease?.retire(this.clock.now());
        const reserving = this.reserveProject(units).finally(() => {
          this.projectReserving = undefined;
        });
        // Every waiter sees the failure; none may leave it unhandled when it has stopped waiting.
        reserving.catch(() => {});
        this.projectReserving = reserving;
      }
      await this.projectReserving;
    }
  }

  private async reserveUser(userKey: string, units: number): Promise<QuotaLease> {
    const ref = this.userRef(userKey);
    for (;;) {
      const answer = await this.writes.reserveChunk(ref, units, this.userChunk, {
        budget: this.options.userUnitsPerMinute,
        fair: true,
        countsDay: false,
      });
      if (answer instanceof QuotaLease) return answer;
      await this.sleep(answer);
    }
  }

  private async reserveProject(units: number): Promise<void> {
    for (;;) {
      let waitMs = this.pollMs;
      // Any shard with room will do; start at a random one to spread the writes.
      const first = Math.floor(Math.random() * this.shards);
      for (let i = 0; i < this.shards; i++) {
        const ref = this.shardRef((first + i) % this.shards);
        const answer = await this.writes.reserveChunk(ref, units, this.projectChunk, {
          budget: this.shardBudget,
          fair: false,
          countsDay: true,
        });
        if (answer instanceof QuotaLease) {
          this.projectLease = answer;
          return;
        }
        waitMs = Math.min(waitMs, answer);
      }
      await this.sleep(waitMs);
    }
  }

  private user(userKey: string): UserState {
    let user = this.users.get(userKey);
    if (!user) {
      user = { tail: Promise.resolve(), lease: undefined, heldUntil: 0, pending: 0 };
      this.users.set(userKey, user);
    }
    return user;
  }

  private forgetIdle(userKey: string, user: UserState): void {
    if (user.pending > 0 || user.heldUntil > this.clock.now()) return;
    if (user.lease && !user.lease.isRetired) return;
    this.users.delete(userKey);
  }

  private userRef(userKey: string): DocumentReference {
    return this.options.firestore.collection(QUOTA_USERS).doc(userKey);
  }

  private shardRef(shard: number): DocumentReference {
    return this.options.firestore.collection(QUOTA_PROJECT).doc(String(shard));
  }
}
