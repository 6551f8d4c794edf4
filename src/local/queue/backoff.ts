export interface BackoffOptions {
  readonly minMs: number;
  readonly maxMs: number;
  /** A number in [0, 1). */
  readonly random: () => number;
}

/**
 * How long to wait before the next attempt, after `attempt` failed ones (1 or more): a random
 * point between the minimum and a ceiling that doubles with every attempt up to the maximum
 * (full jitter, so that tasks failing together do not retry together). The minimum stays a
 * floor, as Cloud Tasks' `minBackoff` is.
 */
export function backoffMs(attempt: number, { minMs, maxMs, random }: BackoffOptions): number {
  const ceiling = Math.min(maxMs, minMs * 2 ** Math.min(Math.max(attempt, 1), 52));
  return Math.round(minMs + random() * Math.max(0, ceiling - minMs));
}
