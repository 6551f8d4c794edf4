import { Random } from '../../src/local/google/random.js';
import type { FaultSpec } from '../../src/local/google/sim-faults.js';
import type { SimulatedGoogle } from '../../src/local/google/simulated-google.js';
import type { FakeOpenAi, Fault } from '../helpers/fake-openai.js';

/**
 * Seeded fault plans for the simulated Gmail and the fake OpenAI. Every fault is transient:
 * a service that retries well finishes the run anyway. What a run cannot survive (a revoked
 * grant, a rejected key) is injected by the tests themselves.
 */

export interface GmailFaultMix {
  /** Chance of each kind per Gmail call. */
  readonly errorRate: number;
  readonly resetRate: number;
  readonly concurrencyRate: number;
  readonly rateLimitRate: number;
  /** Chance that a listed message is deleted before the service reads it. */
  readonly vanishRate: number;
  /** Share of calls slowed down, by up to `latencyMs`. */
  readonly latencyRate: number;
  readonly latencyMs: number;
}

export const STEADY_FAULTS: GmailFaultMix = {
  errorRate: 0.03,
  resetRate: 0.01,
  concurrencyRate: 0.01,
  rateLimitRate: 0.01,
  vanishRate: 0.002,
  latencyRate: 0.2,
  latencyMs: 6,
};

/** Arms the steady background faults for one user; returns the kinds armed. */
export function armGmailFaults(
  google: SimulatedGoogle,
  email: string,
  mix: GmailFaultMix = STEADY_FAULTS,
): string[] {
  const specs: FaultSpec[] = [
    { kind: 'error', status: 500, probability: mix.errorRate / 3, email },
    { kind: 'error', status: 502, probability: mix.errorRate / 3, email },
    { kind: 'error', status: 503, probability: mix.errorRate / 3, email },
    { kind: 'reset', probability: mix.resetRate, email },
    { kind: 'concurrency', probability: mix.concurrencyRate, email },
    { kind: 'rateLimit', status: 429, probability: mix.rateLimitRate / 2, email },
    { kind: 'rateLimit', status: 403, probability: mix.rateLimitRate / 2, email },
    { kind: 'vanish', probability: mix.vanishRate, email },
    { kind: 'latency', ms: 1, jitterMs: mix.latencyMs, probability: mix.latencyRate, email },
  ];
  for (const spec of specs) google.faults.inject(spec);
  return [...new Set(specs.map((s) => (s.kind === 'error' ? `${s.status}` : s.kind)))];
}

/** A storm: the next `count` Gmail calls of the user are refused with 429 and Retry-After. */
export function rateLimitStorm(google: SimulatedGoogle, email: string, count: number): void {
  google.faults.inject({ kind: 'rateLimit', status: 429, retryAfterSeconds: 1, count, email });
}

const ANSWER_FAULTS: readonly Fault['kind'][] = [
  'refusal',
  'malformed',
  'wrong_shape',
  'cut_off',
  'partial',
];

/**
 * OpenAI faults for a share of the requests: rate limits and server errors (retried by the
 * classifier), spoiled answers (their messages are kept) and at most `hangs` requests that never
 * answer (the client times out). A request that repeats one already faulted is answered, so no
 * call fails for good and every fault is one the classifier must absorb without a task retry.
 */
export function planOpenAiFaults(fake: FakeOpenAi, seed: number, rate: number, hangs = 1): void {
  const rng = new Random(seed);
  const faulted = new Set<string>();
  let hung = 0;
  let requests = 0;
  // Every kind once, on every other request from the first, so even a small run meets them all.
  const everyKind: Fault[] = [
    { kind: 'rate_limit', retryAfter: '1' },
    { kind: 'server_error' },
    { kind: 'hang' },
    { kind: 'refusal' },
    { kind: 'malformed' },
    { kind: 'wrong_shape' },
    { kind: 'cut_off' },
    { kind: 'partial' },
  ];
  fake.faultFor = (request) => {
    const prompt = JSON.stringify(request.body.messages);
    if (faulted.has(prompt)) return undefined;
    const first = requests++ % 2 === 0 ? everyKind.shift() : undefined;
    if (first) {
      faulted.add(prompt);
      if (first.kind === 'hang') hung++;
      return first;
    }
    if (!rng.chance(rate)) return undefined;
    faulted.add(prompt);
    const roll = rng.next();
    if (roll < 0.3) return { kind: 'rate_limit', retryAfter: '1' };
    if (roll < 0.55) return { kind: 'server_error' };
    if (roll < 0.6 && hung < hangs) {
      hung++;
      return { kind: 'hang' };
    }
    return { kind: rng.pick(ANSWER_FAULTS) } as Fault;
  };
}

/** Counts of what was injected, for the figures. */
export function tally(kinds: readonly string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const kind of kinds) counts[kind] = (counts[kind] ?? 0) + 1;
  return counts;
}
