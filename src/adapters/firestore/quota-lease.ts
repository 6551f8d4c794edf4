/**
 * A chunk of units one instance reserved in a ledger document. Calls take units from it while
 * it is fresh; once it is retired (stale, or not enough left) and its last call has ended, it
 * is settled: the document keeps only what was spent, until a window after the last call.
 */
export class QuotaLease {
  private spent = 0;
  private inFlight = 0;
  private lastEnd = 0;
  private retired = false;

  constructor(
    readonly entryId: string,
    readonly units: number,
    /** No call starts under this lease at or after this time. */
    readonly startBy: number,
    private readonly onSettle: (spent: number, lastEnd: number) => void,
  ) {}

  /** Takes `units` for a call starting at `now`, if the lease is fresh and has them. */
  take(units: number, now: number): boolean {
    if (this.retired || now >= this.startBy || this.units - this.spent < units) return false;
    this.spent += units;
    this.inFlight++;
    return true;
  }

  /** Gives back units taken for a call that was never sent. */
  giveBack(units: number): void {
    this.spent -= units;
    this.inFlight--;
    this.settleIfDone(0);
  }

  /** A call under this lease ended at `now`. */
  done(now: number): void {
    this.inFlight--;
    this.lastEnd = Math.max(this.lastEnd, now);
    this.settleIfDone(now);
  }

  /** No more calls start under this lease. */
  retire(now: number): void {
    if (this.retired) return;
    this.retired = true;
    this.settleIfDone(now);
  }

  get isRetired(): boolean {
    return this.retired;
  }

  private settleIfDone(now: number): void {
    if (!this.retired || this.inFlight > 0) return;
    // Settled once: a later `done` cannot happen, every call has ended.
    this.inFlight = Number.POSITIVE_INFINITY;
    this.onSettle(this.spent, this.spent > 0 ? this.lastEnd || now : now);
  }
}
