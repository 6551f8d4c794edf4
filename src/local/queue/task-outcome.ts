import { z } from 'zod';
import { type BackoffOptions, backoffMs } from './backoff.js';

/** What one attempt of a task came to. */
export type Outcome =
  | { kind: 'answer'; status: number; retryAfterMs?: number }
  | { kind: 'thrown'; error: unknown }
  | { kind: 'unreadable' };

const payloadSchema = z.record(z.string(), z.unknown());

/** The stored payload, or undefined when the row no longer holds a JSON object. */
export function parsePayload(text: string): Record<string, unknown> | undefined {
  try {
    const parsed = payloadSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/** A 2xx answer completes the task, as with Cloud Tasks; anything else is a failure. */
export function succeeded(outcome: Outcome): boolean {
  return outcome.kind === 'answer' && outcome.status >= 200 && outcome.status < 300;
}

/** For `last_error` and logs: a status or an error message, never the payload. */
export function describeOutcome(outcome: Outcome): string {
  switch (outcome.kind) {
    case 'answer':
      return `status ${outcome.status}`;
    case 'thrown':
      return outcome.error instanceof Error
        ? `${outcome.error.name}: ${outcome.error.message}`.slice(0, 500)
        : 'non-error thrown';
    case 'unreadable':
      return 'stored payload is not a JSON object';
  }
}

/** The wait before the next attempt: backoff, but at least a 429/503 answer's retry hint. */
export function retryDelayMs(outcome: Outcome, attempt: number, backoff: BackoffOptions): number {
  const delay = backoffMs(attempt, backoff);
  const throttled = outcome.kind === 'answer' && (outcome.status === 429 || outcome.status === 503);
  return throttled ? Math.max(delay, nonNegativeMs(outcome.retryAfterMs)) : delay;
}

/** A duration from a caller: missing, negative or not finite means none. */
export function nonNegativeMs(ms: number | undefined): number {
  return ms !== undefined && Number.isFinite(ms) && ms > 0 ? ms : 0;
}
