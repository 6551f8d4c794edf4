import { DEFAULT_PROJECT_UNITS_PER_MINUTE } from '../../domain/gmail-quota.js';
import type { Clock } from '../../domain/ports.js';
import {
  admitToDay,
  committedUnits,
  type DayLedger,
  DEFAULT_PROJECT_UNITS_PER_DAY,
  dayLedgerAt,
  quotaDayOf,
  releaseFromDay,
  spendInDay,
} from '../../domain/quota-day.js';
import type { QuotaDayUsage, QuotaLedger, ScanAdmission } from '../../domain/quota-ledger.js';
import { QuotaWindow } from './quota-window.js';

export interface QuotaSchedulerOptions {
  /** Units one user may spend in any rolling window (Gmail: 6,000 a minute, 2026 table). */
  readonly userUnitsPerMinute: number;
  /** Units the whole project may spend in any rolling window, all users together. */
  readonly projectUnitsPerMinute?: number;
  /** Units the whole project may spend in one quota day (Gmail: 80 M). */
  readonly projectUnitsPerDay?: number;
  /** Units left unspent under each budget, for calls this process cannot see (default 0). */
  readonly safetyMarginUnits?: number;
  /** The rolling window; Gmail's is one minute. */
  readonly windowMs?: number;
  readonly clock?: Clock;
  /** How the scheduler waits; tests pass one that advances a fake clock. */
  readonly sleep?: (ms: number) => Promise<void>;
}

interface Waiter {
  readonly userKey: string;
  readonly units: number;
  readonly grant: () => void;
}

interface UserState {
  readonly window: QuotaWindow;
  /** Penalized (after a 429): nothing is let through before this time. */
  heldUntil: number;
  waiting: number;
}

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Local mode's QuotaLedger: spends Gmail quota units per user (and per project) so that no
 * rolling minute ever holds more than the budget: callers wait their turn, first come first
 * served per user, on timers. One instance per process must serve every mailbox (see
 * `sharedQuotaScheduler`), and only one process may spend the budget: several instances need
 * the shared ledger (`FirestoreQuotaLedger`), or their budgets add up.
 */
export class QuotaScheduler implements QuotaLedger {
  /** The most units one call may ask for: the user budget, less the margin. */
  readonly maxUnits: number;
  private readonly projectBudget: number;
  private readonly windowMs: number;
  private readonly clock: Clock;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly users = new Map<string, UserState>();
  private readonly project: QuotaWindow;
  private waiters: Waiter[] = [];
  private wakeAt: number | undefined;
  private lastSweep = Number.NEGATIVE_INFINITY;
  /** Today's spending and admitted scans; a restart forgets them (one process, local mode). */
  private day: DayLedger | undefined;
  private readonly dayBudget: number;

  constructor(readonly options: QuotaSchedulerOptions) {
    const margin = options.safetyMarginUnits ?? 0;
    this.windowMs = options.windowMs ?? 60_000;
    this.projectBudget =
      (options.projectUnitsPerMinute ?? DEFAULT_PROJECT_UNITS_PER_MINUTE) - margin;
    this.maxUnits = Math.min(options.userUnitsPerMinute - margin, this.projectBudget);
    if (!(this.maxUnits > 0)) throw new RangeError('the quota budget leaves no units to spend');
    this.clock = options.clock ?? { now: Date.now };
    this.sleep = options.sleep ?? realSleep;
    this.project = new QuotaWindow(this.windowMs);
    this.dayBudget = options.projectUnitsPerDay ?? DEFAULT_PROJECT_UNITS_PER_DAY;
  }

  /**
   * Resolves once spending `units` now keeps the user (and the project) within budget, and
   * counts them as spent now. Prefer `run`, which counts them until the call has ended.
   */
  async acquire(userKey: string, units: number): Promise<void> {
    await this.begin(userKey, units);
    this.end(userKey, units);
  }

  /** Waits for `units`, runs `call`, and counts the units until a full window after it ends. */
  async run<T>(userKey: string, units: number, call: () => Promise<T>): Promise<T> {
    await this.begin(userKey, units);
    try {
      return await call();
    } finally {
      this.end(userKey, units);
    }
  }

  /** Holds the user back for `ms` from now (Gmail answered 429 with Retry-After). */
  async penalize(userKey: string, ms: number): Promise<void> {
    const user = this.user(userKey);
    user.heldUntil = Math.max(user.heldUntil, this.clock.now() + ms);
    this.pump();
  }

  async projectUnitsInWindow(): Promise<number> {
    return this.project.used(this.clock.now());
  }

  async admitScan(scanKey: string, units: number): Promise<ScanAdmission> {
    const now = this.clock.now();
    const answer = admitToDay(this.day, { scanKey, units, budget: this.dayBudget, now });
    this.day = answer.ledger;
    return answer.admitted
      ? { admitted: true }
      : { admitted: false, startsAt: quotaDayOf(now).endsAt };
  }

  async releaseScan(scanKey: string): Promise<void> {
    this.day = releaseFromDay(this.day, scanKey, this.clock.now());
  }

  async unitsToday(): Promise<QuotaDayUsage> {
    const now = this.clock.now();
    const today = dayLedgerAt(this.day, now);
    return {
      day: today.day,
      budget: this.dayBudget,
      spent: today.spent,
      committed: committedUnits(today),
      endsAt: quotaDayOf(now).endsAt,
    };
  }

  /** The most units this scheduler let the user hold inside one rolling window. */
  peak(userKey: string): number {
    return this.users.get(userKey)?.window.peak ?? 0;
  }

  /** Users the scheduler currently remembers; idle users are forgotten after a window. */
  get trackedUsers(): number {
    return this.users.size;
  }

  private begin(userKey: string, units: number): Promise<void> {
    if (!Number.isFinite(units) || units < 0) throw new RangeError(`invalid units: ${units}`);
    if (units > this.maxUnits) {
      throw new RangeError(`${units} units never fit a budget of ${this.maxUnits} per window`);
    }
    return new Promise<void>((grant) => {
      this.user(userKey).waiting++;
      this.waiters.push({ userKey, units, grant });
      this.pump();
    });
  }

  private end(userKey: string, units: number): void {
    const now = this.clock.now();
    this.users.get(userKey)?.window.end(now, units);
    this.project.end(now, units);
    this.pump();
  }

  /** Lets through every waiter that fits, in arrival order, and sets one timer for the rest. */
  private pump(): void {
    const now = this.clock.now();
    const blocked = new Set<string>();
    let next = Number.POSITIVE_INFINITY;
    for (let i = 0; i < this.waiters.length; ) {
      const waiter = this.waiters[i]!;
      if (blocked.has(waiter.userKey)) {
        i++;
        continue;
      }
      const user = this.user(waiter.userKey);
      const userWait = Math.max(
        user.heldUntil - now,
        user.window.waitFor(now, waiter.units, this.maxUnits),
      );
      if (userWait > 0) {
        // Later waiters of this user stay behind this one; other users go on.
        blocked.add(waiter.userKey);
        next = Math.min(next, now + userWait);
        i++;
        continue;
      }
      const projectWait = this.project.waitFor(now, waiter.units, this.projectBudget);
      if (projectWait > 0) {
        // The project budget is shared: nobody overtakes the first waiter it holds back.
        next = Math.min(next, now + projectWait);
        break;
      }
      this.waiters.splice(i, 1);
      user.waiting--;
      user.window.begin(waiter.units);
      this.project.begin(waiter.units);
      // Counted into the day when let through, as Gmail may charge it any moment from now.
      this.day = spendInDay(this.day, waiter.units, now);
      waiter.grant();
    }
    this.sweep(now);
    if (Number.isFinite(next)) this.wakeUpAt(next, now);
  }

  private wakeUpAt(at: number, now: number): void {
    if (this.wakeAt !== undefined && this.wakeAt <= at) return;
    this.wakeAt = at;
    void this.sleep(Math.max(1, Math.ceil(at - now))).then(() => {
      if (this.wakeAt === at) this.wakeAt = undefined;
      this.pump();
    });
  }

  /** Forgets users with nothing in their window, in flight, waiting or held back. */
  private sweep(now: number): void {
    if (now - this.lastSweep < this.windowMs) return;
    this.lastSweep = now;
    for (const [key, user] of this.users) {
      if (user.waiting === 0 && user.heldUntil <= now && user.window.idle(now)) {
        this.users.delete(key);
      }
    }
  }

  private user(userKey: string): UserState {
    let user = this.users.get(userKey);
    if (!user) {
      user = { window: new QuotaWindow(this.windowMs), heldUntil: 0, waiting: 0 };
      this.users.set(userKey, user);
    }
    return user;
  }
}

let shared: QuotaScheduler | undefined;

/**
 * The process's one scheduler, created on first use: every mailbox must spend through the same
 * instance for the per-user budget to hold. Asking again with other budgets is a wiring error.
 */
export function sharedQuotaScheduler(options: QuotaSchedulerOptions): QuotaScheduler {
  if (!shared) shared = new QuotaScheduler(options);
  else if (
    shared.options.userUnitsPerMinute !== options.userUnitsPerMinute ||
    shared.options.projectUnitsPerMinute !== options.projectUnitsPerMinute ||
    shared.options.projectUnitsPerDay !== options.projectUnitsPerDay
  ) {
    throw new Error('the shared quota scheduler already runs with other budgets');
  }
  return shared;
}
