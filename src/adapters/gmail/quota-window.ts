/**
 * Units spent in a rolling window, the way Gmail counts them: a spend at `at` counts while
 * `now - windowMs < at`. Units of calls still in flight count until the call ends and then for
 * a full window after it: Gmail charges a call at some moment between sending and answering,
 * so only the end of a call bounds when its charge leaves Gmail's window.
 */
export class QuotaWindow {
  private entries: { at: number; units: number }[] = [];
  private head = 0;
  private settled = 0;
  private inFlight = 0;
  /** The most units this window held at once. */
  peak = 0;

  constructor(private readonly windowMs: number) {}

  /** Units that count now, in flight included. */
  used(now: number): number {
    this.prune(now);
    return this.settled + this.inFlight;
  }

  /** Whether nothing counts any more (the window can be dropped). */
  idle(now: number): boolean {
    return this.used(now) === 0;
  }

  /**
   * Milliseconds until `units` more fit under `budget`: 0 when they fit now, Infinity when only
   * calls in flight ending can make room.
   */
  waitFor(now: number, units: number, budget: number): number {
    const room = budget - this.inFlight - units;
    if (room < 0) return Number.POSITIVE_INFINITY;
    let sum = this.used(now) - this.inFlight;
    if (sum <= room) return 0;
    for (let i = this.head; i < this.entries.length; i++) {
      const entry = this.entries[i]!;
      sum -= entry.units;
      if (sum <= room) return entry.at + this.windowMs - now;
    }
    return 0;
  }

  /** A call was let through: its units count from now until it ends. */
  begin(units: number): void {
    this.inFlight += units;
    this.peak = Math.max(this.peak, this.settled + this.inFlight);
  }

  /** The call ended at `now`: its units count for one more window. */
  end(now: number, units: number): void {
    this.inFlight -= units;
    this.prune(now);
    // Every entry is at or before `now`, so appending keeps the entries in time order.
    this.entries.push({ at: now, units });
    this.settled += units;
  }

  private prune(now: number): void {
    const cutoff = now - this.windowMs;
    while (this.head < this.entries.length && this.entries[this.head]!.at <= cutoff) {
      this.settled -= this.entries[this.head]!.units;
      this.head++;
    }
    if (this.head === this.entries.length) {
      this.entries = [];
      this.head = 0;
    } else if (this.head > 1_024 && this.head * 2 > this.entries.length) {
      this.entries = this.entries.slice(this.head);
      this.head = 0;
    }
  }
}
