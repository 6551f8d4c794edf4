/**
 * The Gmail budget every Gmail call spends from. Gmail counts units per user and per project
 * in a rolling minute, across every instance of the service; the ledger is where they are
 * counted before a call is sent. Local mode keeps it in the process (`QuotaScheduler`); gcp
 * mode shares it through Firestore (`FirestoreQuotaLedger`), so that a scan on one instance
 * and a sync of the same user on another spend one budget.
 */
export interface QuotaLedger {
  /** The most units one call may ask for. */
  readonly maxUnits: number;
  /**
   * Waits until `units` fit the user's budget and the project's, runs `call`, and counts the
   * units from the grant until a full window after the call has ended (Gmail charges a call
   * at some moment between sending and answering). Calls of one user are let through in the
   * order they asked. A call that never fits (more than `maxUnits`) is a RangeError.
   */
  run<T>(userKey: string, units: number, call: () => Promise<T>): Promise<T>;
  /**
   * Holds the user back for `ms` from now: Gmail answered 429 with Retry-After. Resolves once
   * every instance will hold the user back.
   */
  penalize(userKey: string, ms: number): Promise<void>;
  /** Units the whole project has counted in the current window (every instance's). */
  projectUnitsInWindow(): Promise<number>;
  /**
   * Lets a full scan into today's project budget if its estimated `units` fit what is left
   * (units spent plus those promised to scans admitted before); else says when the next quota
   * day begins. Asking again for the same `scanKey` the same day admits it once.
   */
  admitScan(scanKey: string, units: number): Promise<ScanAdmission>;
  /** The scan ended: its promise leaves today's budget. */
  releaseScan(scanKey: string): Promise<void>;
  /** Today's project budget as every instance counted it. */
  unitsToday(): Promise<QuotaDayUsage>;
}

export type ScanAdmission =
  | { readonly admitted: true }
  | {
      readonly admitted: false;
      /** When the next quota day begins (Pacific midnight, epoch ms). */
      readonly startsAt: number;
    };

export interface QuotaDayUsage {
  /** The Pacific date, `YYYY-MM-DD`. */
  readonly day: string;
  readonly budget: number;
  /**
   * Units let through today; calls still in flight count in full (gcp mode: their whole
   * reserved chunk, until it is settled to what was spent).
   */
  readonly spent: number;
  /** Units promised to full scans admitted today and not yet finished. */
  readonly committed: number;
  /** When the next quota day begins (epoch ms). */
  readonly endsAt: number;
}

/** What one rolling window allows: Gmail's per-user and per-project units. */
export interface QuotaBudgets {
  readonly userUnitsPerMinute: number;
  readonly projectUnitsPerMinute: number;
  /** Gmail's daily project budget (default 80,000,000). */
  readonly projectUnitsPerDay?: number;
  /** Gmail's window is one minute; tests shorten it. */
  readonly windowMs?: number;
}
