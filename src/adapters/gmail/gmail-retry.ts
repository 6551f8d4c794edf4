import type { GmailMethod } from '../../domain/gmail-quota.js';
import { MailboxUnavailable, ReconnectNeeded } from '../../domain/mailbox-errors.js';
import type { Clock } from '../../domain/ports.js';
import type { QuotaLedger } from '../../domain/quota-ledger.js';

export interface GmailRetryOptions {
  /** Attempts in all, the first included (default 5). */
  readonly maxAttempts?: number;
  /** Backoff before attempt n+1 is random in [0, min(maxDelayMs, baseDelayMs * 2^(n-1))). */
  readonly baseDelayMs?: number;
  readonly maxDelayMs?: number;
  /** A Retry-After longer than this is not waited for: MailboxUnavailable says when to retry. */
  readonly maxRetryAfterMs?: number;
  /** Each attempt is aborted after this long, quota waits excluded (default 30 s). */
  readonly timeoutMs?: number;
  /** Units to spend before each attempt; a Retry-After also holds the user back there. */
  readonly quota?: {
    readonly ledger: QuotaLedger;
    readonly userKey: string;
    /** A function when the cost changes between attempts (a batch retries fewer calls). */
    readonly units: number | (() => number);
  };
  /** Names the call in error messages (never message ids or addresses). */
  readonly label?: string;
  readonly clock?: Clock;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly random?: () => number;
}

/** What to do about an error from a Gmail call. */
export type GmailErrorVerdict =
  | { readonly kind: 'retry'; readonly why: string; readonly retryAfterMs?: number | undefined }
  | { readonly kind: 'reconnect' }
  | { readonly kind: 'fail' };

/** A failed part of a batch, shaped so `classifyGmailError` reads it like a client error. */
export class GmailCallError extends Error {
  override readonly name = 'GmailCallError';
  constructor(
    message: string,
    readonly status: number,
    readonly reason: string | undefined,
    readonly retryAfterMs?: number | undefined,
  ) {
    super(message);
  }
}

const RATE_LIMIT_REASONS = new Set(['rateLimitExceeded', 'userRateLimitExceeded']);
const NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'EAI_AGAIN',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
]);
const NETWORK_MESSAGES = /socket hang up|fetch failed|network error|other side closed/i;

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Runs a Gmail call with the service's one retry policy: rate limits (429, 403
 * rateLimitExceeded/userRateLimitExceeded), 5xx, network errors and timeouts are retried with
 * exponential backoff and full jitter, honouring Retry-After; other errors are thrown as they
 * are. A refused refresh token becomes ReconnectNeeded at once; running out of attempts,
 * MailboxUnavailable.
 */
export async function withGmailRetry<T>(
  call: (signal: AbortSignal) => Promise<T>,
  options: GmailRetryOptions = {},
): Promise<T> {
  const maxAttempts = options.maxAttempts ?? 5;
  const baseDelayMs = options.baseDelayMs ?? 500;
  const maxDelayMs = options.maxDelayMs ?? 32_000;
  const maxRetryAfterMs = options.maxRetryAfterMs ?? 120_000;
  const clock = options.clock ?? { now: Date.now };
  const sleep = options.sleep ?? realSleep;
  const random = options.random ?? Math.random;
  const label = options.label ?? 'Gmail call';
  const { quota } = options;

  for (let attempt = 1; ; attempt++) {
    try {
      const once = () => withTimeout(call, options.timeoutMs ?? 30_000);
      if (!quota) return await once();
      const units = typeof quota.units === 'number' ? quota.units : quota.units();
      return await quota.ledger.run(quota.userKey, units, once);
    } catch (error) {
      const verdict = classifyGmailError(error, clock.now());
      if (verdict.kind === 'reconnect') throw new ReconnectNeeded();
      if (verdict.kind === 'fail') throw error;
      const { retryAfterMs } = verdict;
      if (retryAfterMs !== undefined) await quota?.ledger.penalize(quota.userKey, retryAfterMs);
      if (attempt >= maxAttempts || (retryAfterMs ?? 0) > maxRetryAfterMs) {
        throw Object.assign(
          new MailboxUnavailable(
            `${label} failed after ${attempt} attempt(s): ${verdict.why}`,
            retryAfterMs,
          ),
          { cause: error },
        );
      }
      const backoff = Math.floor(random() * Math.min(maxDelayMs, baseDelayMs * 2 ** (attempt - 1)));
      await sleep(Math.max(backoff, retryAfterMs ?? 0));
    }
  }
}

/** Runs `call` with a signal that aborts it after `timeoutMs`; a timeout surfaces as ETIMEDOUT. */
async function withTimeout<T>(
  call: (signal: AbortSignal) => Promise<T>,
  timeoutMs: number,
): Promise<T> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  try {
    return await call(controller.signal);
  } catch (error) {
    if (controller.signal.aborted) {
      throw Object.assign(new Error(`timed out after ${timeoutMs} ms`), {
        code: 'ETIMEDOUT',
        cause: error,
      });
    }
    throw error;
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Sorts an error from the googleapis client (GaxiosError), from `sendGmailBatch`, or a
 * GmailCallError: retry, reconnect (invalid_grant from the token endpoint), or fail.
 */
export function classifyGmailError(error: unknown, now: number): GmailErrorVerdict {
  if (isInvalidGrant(error)) return { kind: 'reconnect' };
  const status = gmailErrorStatus(error);
  if (status !== undefined) {
    const reason = gmailErrorReason(error);
    const rateLimited =
      status === 429 || (status === 403 && reason !== undefined && RATE_LIMIT_REASONS.has(reason));
    if (!rateLimited && status < 500) return { kind: 'fail' };
    return {
      kind: 'retry',
      why: `${status}${reason ? ` ${reason}` : ''}`,
      retryAfterMs: retryAfterOf(error, now),
    };
  }
  const code = networkCode(error);
  if (code !== undefined) return { kind: 'retry', why: code };
  return { kind: 'fail' };
}

/** The HTTP status of a failed Gmail call, if it got an answer. */
export function gmailErrorStatus(error: unknown): number | undefined {
  const e = error as { response?: { status?: unknown }; status?: unknown } | null;
  const status = e?.response?.status ?? e?.status;
  return typeof status === 'number' ? status : undefined;
}

/** Gmail's `error.errors[0].reason`, e.g. `rateLimitExceeded`. */
export function gmailErrorReason(error: unknown): string | undefined {
  if (error instanceof GmailCallError) return error.reason;
  const e = error as { response?: { data?: unknown }; body?: unknown } | null;
  // sendGmailBatch keeps the unparsed body of a refused batch request.
  return errorBodyReason(typeof e?.body === 'string' ? safeJson(e.body) : e?.response?.data);
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** The reason in a Google API error body. */
export function errorBodyReason(body: unknown): string | undefined {
  const errors = (body as { error?: { errors?: { reason?: unknown }[] } } | null)?.error?.errors;
  const reason = Array.isArray(errors) ? errors[0]?.reason : undefined;
  return typeof reason === 'string' ? reason : undefined;
}

/** The message in a Google API error body, or the error's own. */
export function gmailErrorMessage(error: unknown): string {
  const data = (error as { response?: { data?: unknown } } | null)?.response?.data;
  const message = (data as { error?: { message?: unknown } } | null)?.error?.message;
  if (typeof message === 'string') return message;
  return error instanceof Error ? error.message : String(error);
}

/** Retry-After (seconds or an HTTP date) as milliseconds from `now`. */
export function parseRetryAfter(value: string | null | undefined, now: number): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.ceil(Number(trimmed) * 1_000);
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

function retryAfterOf(error: unknown, now: number): number | undefined {
  if (error instanceof GmailCallError) return error.retryAfterMs;
  const headers = (error as { response?: { headers?: unknown } } | null)?.response?.headers;
  // gaxios answers with a Headers of its own fetch, which is not this realm's `Headers`.
  if (headers && typeof (headers as Headers).get === 'function') {
    return parseRetryAfter((headers as Headers).get('retry-after'), now);
  }
  if (headers && typeof headers === 'object') {
    const value = (headers as Record<string, unknown>)['retry-after'];
    return typeof value === 'string' ? parseRetryAfter(value, now) : undefined;
  }
  return undefined;
}

/** A refresh the token endpoint refused: the user revoked access or the grant expired. */
function isInvalidGrant(error: unknown): boolean {
  const data = (error as { response?: { data?: unknown } } | null)?.response?.data;
  return (data as { error?: unknown } | null)?.error === 'invalid_grant';
}

/** The code of a connection-level failure anywhere in the cause chain, if it is one. */
function networkCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && current; depth++) {
    const { code, message } = current as { code?: unknown; message?: unknown };
    if (typeof code === 'string' && NETWORK_CODES.has(code)) return code;
    if (typeof message === 'string' && NETWORK_MESSAGES.test(message)) return message;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

/** One Gmail call under a mailbox's budget and retry policy, as the gmail-* helpers take it. */
export type GmailCall = <T>(
  method: GmailMethod,
  send: (signal: AbortSignal) => Promise<T>,
) => Promise<T>;
