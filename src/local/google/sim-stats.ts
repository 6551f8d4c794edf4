import type { GmailMethod } from '../../domain/gmail-quota.js';

export interface MethodCounters {
  /** Calls let through and charged, whatever they answered. */
  calls: number;
  units: number;
  /** Calls refused for quota (429 or 403 rate limit). */
  rateLimited: number;
  /** Calls failed by an injected fault. */
  faulted: number;
}

export interface StatsSnapshot {
  readonly totalUnits: number;
  readonly totalCalls: number;
  readonly rateLimited: number;
  readonly faulted: number;
  readonly methods: Readonly<Partial<Record<GmailMethod, MethodCounters>>>;
}

/** Per-method counters of the simulated Gmail, per user and overall, for tests and benchmarks. */
export class SimStats {
  private readonly byUser = new Map<string, Map<GmailMethod, MethodCounters>>();

  record(email: string, method: GmailMethod, outcome: 'ok' | 'rateLimited' | 'faulted', units = 0) {
    let methods = this.byUser.get(email);
    if (!methods) {
      methods = new Map();
      this.byUser.set(email, methods);
    }
    let counters = methods.get(method);
    if (!counters) {
      counters = { calls: 0, units: 0, rateLimited: 0, faulted: 0 };
      methods.set(method, counters);
    }
    if (outcome === 'ok') {
      counters.calls++;
      counters.units += units;
    } else counters[outcome]++;
  }

  /** Counters for one user, or summed over all users when no email is given. */
  snapshot(email?: string): StatsSnapshot {
    const sources: Map<GmailMethod, MethodCounters>[] = email
      ? [this.byUser.get(email) ?? new Map()]
      : [...this.byUser.values()];
    const methods: Partial<Record<GmailMethod, MethodCounters>> = {};
    for (const source of sources) {
      for (const [method, c] of source) {
        const into = methods[method] ?? { calls: 0, units: 0, rateLimited: 0, faulted: 0 };
        methods[method] = into;
        into.calls += c.calls;
        into.units += c.units;
        into.rateLimited += c.rateLimited;
        into.faulted += c.faulted;
      }
    }
    const all = Object.values(methods);
    const sum = (pick: (c: MethodCounters) => number) => all.reduce((n, c) => n + pick(c), 0);
    return {
      totalUnits: sum((c) => c.units),
      totalCalls: sum((c) => c.calls),
      rateLimited: sum((c) => c.rateLimited),
      faulted: sum((c) => c.faulted),
      methods,
    };
  }

  reset(): void {
    this.byUser.clear();
  }
}
