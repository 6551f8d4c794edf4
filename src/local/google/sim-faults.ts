import type { GmailMethod } from '../../domain/gmail-quota.js';
import { type GoogleApiError, gmailErrors } from './gmail-errors.js';
import { Random } from './random.js';

interface Targeting {
  /** Only these methods; all Gmail methods when absent. */
  readonly methods?: readonly GmailMethod[];
  /** Only this user; all users when absent. */
  readonly email?: string;
  /** How many calls it hits before it is used up (unlimited when absent). */
  readonly count?: number;
  /** The chance that a matching call is hit (1 when absent). */
  readonly probability?: number;
}

export type FaultSpec =
  | ({ readonly kind: 'error'; readonly status?: 500 | 502 | 503 } & Targeting)
  | ({
      readonly kind: 'rateLimit';
      readonly status?: 429 | 403;
      readonly retryAfterSeconds?: number;
    } & Targeting)
  | ({ readonly kind: 'concurrency' } & Targeting)
  | ({ readonly kind: 'latency'; readonly ms: number; readonly jitterMs?: number } & Targeting)
  /** The connection is dropped without an answer. */
  | ({ readonly kind: 'reset' } & Targeting)
  /** Messages a list call returns are deleted before anyone can get them. */
  | ({ readonly kind: 'vanish' } & Omit<Targeting, 'methods'>)
  /**
   * `messages.list` refuses a query holding this operator (e.g. `in:snoozed`) with 400
   * invalidArgument, as Gmail answers a search it does not accept.
   */
  | ({ readonly kind: 'refuseQuery'; readonly operator: string } & Omit<Targeting, 'methods'>)
  /**
   * `history.list` gives its messages with only `id` and `threadId`, as the reference says
   * they typically are (each page answered so uses the fault once).
   */
  | ({ readonly kind: 'bareHistory' } & Omit<Targeting, 'methods'>);

export type FaultAction =
  | { readonly type: 'none' }
  | { readonly type: 'error'; readonly error: GoogleApiError }
  | { readonly type: 'reset' };

interface Armed {
  readonly spec: FaultSpec;
  remaining: number;
}

/** Faults injected on demand, deterministic for a seed. */
export class SimFaults {
  private armed: Armed[] = [];
  private readonly generator: Random;

  constructor(seed = 1) {
    this.generator = new Random(seed >>> 0 || 1);
  }

  inject(spec: FaultSpec): void {
    this.armed.push({ spec, remaining: spec.count ?? Number.POSITIVE_INFINITY });
  }

  clear(): void {
    this.armed = [];
  }

  /** Extra latency for this call, in ms. */
  latencyFor(email: string, method: GmailMethod): number {
    let ms = 0;
    for (const armed of this.hits(email, method, ['latency'])) {
      if (armed.spec.kind === 'latency')
        ms += armed.spec.ms + this.random() * (armed.spec.jitterMs ?? 0);
    }
    return ms;
  }

  /** What an error or reset fault does to this call, if any fires. */
  actionFor(email: string, method: GmailMethod): FaultAction {
    const [armed] = this.hits(email, method, ['reset', 'error', 'rateLimit', 'concurrency'], true);
    if (!armed) return { type: 'none' };
    const spec = armed.spec;
    switch (spec.kind) {
      case 'reset':
        return { type: 'reset' };
      case 'error':
        return { type: 'error', error: gmailErrors.backendError(spec.status ?? 503) };
      case 'rateLimit': {
        const seconds = spec.retryAfterSeconds ?? 1;
        const error = gmailErrors.userRateLimit(
          seconds,
          new Date(Date.now() + seconds * 1_000),
          spec.status ?? 429,
        );
        return { type: 'error', error };
      }
      case 'concurrency':
        return { type: 'error', error: gmailErrors.tooManyConcurrent() };
      default:
        return { type: 'none' };
    }
  }

  /** The error a `messages.list` call with query `q` gets, if an armed fault refuses it. */
  queryRefusal(email: string, q: string): GoogleApiError | undefined {
    const query = q.toLowerCase();
    const armed = this.armed.find(
      ({ spec, remaining }) =>
        spec.kind === 'refuseQuery' &&
        remaining > 0 &&
        (spec.email === undefined || spec.email === email) &&
        query.includes(spec.operator.toLowerCase()),
    );
    if (!armed || this.random() >= (armed.spec.probability ?? 1)) return undefined;
    armed.remaining--;
    this.armed = this.armed.filter((a) => a.remaining > 0);
    return gmailErrors.invalidArgument('Invalid query');
  }

  /** Whether a history.list page gives its messages without their labels. */
  bareHistory(email: string): boolean {
    return this.hits(email, 'users.history.list', ['bareHistory']).length > 0;
  }

  /** Whether a message a list call just returned should vanish before it can be read. */
  vanishes(email: string): boolean {
    return this.hits(email, 'users.messages.list', ['vanish']).length > 0;
  }

  /** The armed faults this call sets off; with `first`, only the first one is used up. */
  private hits(
    email: string,
    method: GmailMethod,
    kinds: readonly FaultSpec['kind'][],
    first = false,
  ): Armed[] {
    const fired: Armed[] = [];
    for (const armed of this.armed) {
      const { spec } = armed;
      if (!kinds.includes(spec.kind) || armed.remaining <= 0) continue;
      if (spec.email !== undefined && spec.email !== email) continue;
      if (
        spec.kind !== 'vanish' &&
        spec.kind !== 'refuseQuery' &&
        spec.kind !== 'bareHistory' &&
        spec.methods &&
        !spec.methods.includes(method)
      )
        continue;
      if (this.random() >= (spec.probability ?? 1)) continue;
      armed.remaining--;
      fired.push(armed);
      if (first) break;
    }
    this.armed = this.armed.filter((a) => a.remaining > 0);
    return fired;
  }

  /** Seeded, so a seeded run injects the same faults in the same places. */
  private random(): number {
    return this.generator.next();
  }
}
