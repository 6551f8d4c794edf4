import { APIConnectionTimeoutError, APIError } from 'openai';
import type { PauseReason } from '../../domain/classifier-errors.js';

/**
 * What an OpenAI error means for the caller. The SDK is built with maxRetries 0: it would
 * otherwise retry 429 insufficient_quota too, which only the user can fix.
 */
export type OpenAiFailure =
  /** Only the user can fix it (wrong key, no quota, model not allowed). */
  | { readonly kind: 'pause'; readonly reason: PauseReason }
  /** An ordinary rate limit: wait (as long as OpenAI says, when it says) and try again. */
  | { readonly kind: 'rate_limited'; readonly retryAfterMs: number | undefined }
  /** A server error or a dropped connection: one more try may work. */
  | { readonly kind: 'transient'; readonly reason: string }
  /** This call failed (timeout, rejected request): its messages are kept. */
  | { readonly kind: 'failed'; readonly reason: string };

export function describeOpenAiError(error: unknown): OpenAiFailure {
  if (error instanceof APIConnectionTimeoutError) return { kind: 'failed', reason: 'timed out' };
  if (!(error instanceof APIError)) {
    return { kind: 'failed', reason: error instanceof SyntaxError ? 'malformed answer' : 'error' };
  }
  const status = error.status;
  const code = error.code ?? error.type;
  if (status === undefined) return { kind: 'transient', reason: 'connection failed' };
  if (status === 401) return { kind: 'pause', reason: 'key_rejected' };
  if (status === 429) {
    if (code === 'insufficient_quota') return { kind: 'pause', reason: 'quota_exhausted' };
    return { kind: 'rate_limited', retryAfterMs: retryAfterMs(error.headers) };
  }
  if (status === 403 || (status === 404 && code === 'model_not_found')) {
    return { kind: 'pause', reason: 'model_refused' };
  }
  if (status >= 500) return { kind: 'transient', reason: `OpenAI error ${status}` };
  return { kind: 'failed', reason: `request rejected (${status})` };
}

/** `retry-after-ms`, else `retry-after` in seconds or as an HTTP date; undefined when absent. */
export function retryAfterMs(headers: Headers | undefined, now = Date.now()): number | undefined {
  const ms = Number(headers?.get('retry-after-ms'));
  if (Number.isFinite(ms) && ms > 0) return ms;
  const value = headers?.get('retry-after');
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return seconds >= 0 ? seconds * 1000 : undefined;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}
