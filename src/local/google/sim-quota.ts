import type { GmailMethod, GmailUnitTable } from '../../domain/gmail-quota.js';
import { type GoogleApiError, gmailErrors } from './gmail-errors.js';

const WINDOW_MS = 60_000;

export interface SimQuotaOptions {
  readonly units: GmailUnitTable;
  readonly userUnitsPerMinute: number;
  readonly projectUnitsPerMinute: number;
  /** Gmail answers rate limits with 429 or with 403 userRateLimitExceeded. */
  readonly rateLimitStatus: 429 | 403;
  readonly now: () => number;
}

/** Units spent in a rolling minute, as a queue of (time, units) entries. */
class RollingWindow {
  private readonly entries: { at: number; units: number }[] = [];
  private head = 0;
  private sum = 0;
  /** The most units ever seen inside one rolling minute. */
  peak = 0;

  used(now: number): number {
    while (this.head < this.entries.length && this.entries[this.head]!.at <= now - WINDOW_MS) {
      this.sum -= this.entries[this.head]!.units;
      this.head++;
    }
    if (this.head > 1024 && this.head * 2 > this.entries.length) {
      this.entries.splice(0, this.head);
      this.head = 0;
    }
    return this.sum;
  }

  add(now: number, units: number): void {
    this.entries.push({ at: now, units });
    this.sum += units;
    this.peak = Math.max(this.peak, this.sum);
  }

  /** Milliseconds until `units` more fit under `budget`. */
  waitFor(now: number, units: number, budget: number): number {
    let sum = this.used(now);
    for (let i = this.head; i < this.entries.length && sum + units > budget; i++) {
      sum -= this.entries[i]!.units;
      if (sum + units <= budget) return this.entries[i]!.at + WINDOW_MS - now;
    }
    return 0;
  }
}

/** Gmail's per-user and per-project quota: charge a call or refuse it with Gmail's error. */
export class SimQuota {
  private readonly users = new Map<string, RollingWindow>();
  private readonly project = new RollingWindow();

  constructor(private readonly options: SimQuotaOptions) {}

  cost(method: GmailMethod): number {
    return this.options.units[method];
  }

  /** Charges the call, or returns the error Gmail would answer without charging. */
  charge(email: string, method: GmailMethod): GoogleApiError | undefined {
    const { now, userUnitsPerMinute, projectUnitsPerMinute, rateLimitStatus } = this.options;
    const at = now();
    const units = this.cost(method);
    const user = this.window(email);
    if (user.used(at) + units > userUnitsPerMinute) {
      const waitMs = Math.max(1_000, user.waitFor(at, units, userUnitsPerMinute));
      return gmailErrors.userRateLimit(
        Math.ceil(waitMs / 1_000),
        new Date(at + waitMs),
        rateLimitStatus,
      );
    }
    if (this.project.used(at) + units > projectUnitsPerMinute) {
      const waitMs = Math.max(1_000, this.project.waitFor(at, units, projectUnitsPerMinute));
      return gmailErrors.projectRateLimit(Math.ceil(waitMs / 1_000));
    }
    user.add(at, units);
    this.project.add(at, units);
    return undefined;
  }

  /** The most units one user spent inside any rolling minute. */
  peakUserUnitsPerMinute(email: string): number {
    return this.users.get(email)?.peak ?? 0;
  }

  /** The most units the whole project spent inside any rolling minute. */
  get peakProjectUnitsPerMinute(): number {
    return this.project.peak;
  }

  get userUnitsPerMinute(): number {
    return this.options.userUnitsPerMinute;
  }

  private window(email: string): RollingWindow {
    let window = this.users.get(email);
    if (!window) {
      window = new RollingWindow();
      this.users.set(email, window);
    }
    return window;
  }
}
