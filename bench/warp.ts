/**
 * The benchmark's clock: real time until `speedUp` is called, then `factor` times faster. The
 * simulated Google (in another process) gets the same state, so both sides see the same
 * minutes. Only clocks and waits are warped; Gmail's latency, the LLM and the CPU stay real.
 */
export interface WarpState {
  /** Warped time at `t0`. */
  readonly base: number;
  /** Real time (Date.now) when this state began. */
  readonly t0: number;
  readonly factor: number;
}

export const realTime = (): WarpState => {
  const now = Date.now();
  return { base: now, t0: now, factor: 1 };
};

export const warpedNow = (state: WarpState): number =>
  state.base + (Date.now() - state.t0) * state.factor;

/** The service side of the warp: a clock, and a sleep that also measures waiting. */
export class Warp {
  private state: WarpState = realTime();
  private pending = 0;
  private since = 0;
  private waitedMs = 0;

  readonly clock = { now: () => warpedNow(this.state) };

  /** Sleeps `ms` of warped time; real time spent with any sleep pending counts as waiting. */
  readonly sleep = (ms: number): Promise<void> => {
    if (this.pending++ === 0) this.since = Date.now();
    return new Promise<void>((resolve) => setTimeout(resolve, ms / this.state.factor)).finally(
      () => {
        if (--this.pending === 0) this.waitedMs += Date.now() - this.since;
      },
    );
  };

  get factor(): number {
    return this.state.factor;
  }

  /** The current state, to start the simulated Google on the same clock. */
  get current(): WarpState {
    return this.state;
  }

  /** Switches to `factor` from now on; returns the state to hand to the simulated Google. */
  speedUp(factor: number): WarpState {
    const now = Date.now();
    this.state = { base: warpedNow(this.state), t0: now, factor };
    return this.state;
  }

  /**
   * Moves warped time `ms` forward at once, keeping the factor: a month passes in an instant
   * (the day's cron, mail coming of age). Returns the state to hand to the simulated Google.
   */
  jump(ms: number): WarpState {
    const now = Date.now();
    this.state = { base: warpedNow(this.state) + ms, t0: now, factor: this.state.factor };
    return this.state;
  }

  /**
   * Real ms spent with a quota (or backoff) wait pending since the last reset: in a
   * single-user run, the time its work was held back by the Gmail budget.
   */
  quotaWaitMs(): number {
    return this.waitedMs + (this.pending > 0 ? Date.now() - this.since : 0);
  }

  resetWaits(): void {
    this.waitedMs = 0;
    if (this.pending > 0) this.since = Date.now();
  }
}
