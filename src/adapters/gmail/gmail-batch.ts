import { randomBytes } from 'node:crypto';
import type { OAuth2Client } from 'google-auth-library';

/** Gmail accepts at most 100 calls in one batch; 50 is what Google recommends. */
export const MAX_BATCH_CALLS = 100;

export interface BatchCall {
  readonly method: 'GET' | 'POST';
  /** Path and query under the API root, e.g. `/gmail/v1/users/me/messages/ID?format=metadata`. */
  readonly path: string;
  readonly body?: unknown;
}

export interface BatchAnswer {
  readonly status: number;
  readonly headers: Headers;
  /** The parsed JSON body, or undefined when the part had none. */
  readonly body: unknown;
}

/** Answers of a server that has no batch path: nothing there will ever take a batch. */
const BATCHLESS_STATUSES = [404, 405, 501];

/**
 * The batch path is not served where the Gmail API is (a stand-in or a proxy without it):
 * the calls must go one by one. Never retried: no attempt would fare better.
 */
export class BatchUnavailable extends Error {
  constructor(readonly answered: number) {
    super(`the Gmail batch path answered ${answered} without a multipart answer`);
    this.name = 'BatchUnavailable';
  }
}

/**
 * Sends up to 100 Gmail calls as one multipart/mixed HTTP request. Each call is still charged
 * separately: a batch saves connections, not quota. The googleapis client has no batch support.
 */
export async function sendGmailBatch(
  auth: OAuth2Client,
  batchUrl: string,
  calls: readonly BatchCall[],
  signal?: AbortSignal,
): Promise<BatchAnswer[]> {
  if (calls.length === 0) return [];
  if (calls.length > MAX_BATCH_CALLS)
    throw new RangeError(`at most ${MAX_BATCH_CALLS} calls per batch`);
  const boundary = `batch_${randomBytes(12).toString('hex')}`;
  const body = `${calls.map((call, i) => `--${boundary}\r\n${encodePart(call, i)}`).join('')}--${boundary}--\r\n`;
  const headers = await auth.getRequestHeaders(batchUrl);
  headers.set('content-type', `multipart/mixed; boundary=${boundary}`);
  const response = await fetch(batchUrl, {
    method: 'POST',
    headers,
    body,
    ...(signal ? { signal } : {}),
  });
  const text = await response.text();
  if (BATCHLESS_STATUSES.includes(response.status)) throw new BatchUnavailable(response.status);
  if (!response.ok) {
    throw Object.assign(new Error(`batch request answered ${response.status}`), {
      status: response.status,
      body: text,
    });
  }
  const answerBoundary = /boundary="?([^";]+)"?/i.exec(
    response.headers.get('content-type') ?? '',
  )?.[1];
  if (!answerBoundary) throw new BatchUnavailable(response.status);
  return orderAnswers(parseAnswers(text, answerBoundary), calls.length);
}

function encodePart(call: BatchCall, index: number): string {
  const json = call.body === undefined ? undefined : JSON.stringify(call.body);
  const inner = [
    `${call.method} ${call.path} HTTP/1.1`,
    ...(json === undefined ? [] : ['Content-Type: application/json']),
    '',
    json ?? '',
  ].join('\r\n');
  return `Content-Type: application/http\r\nContent-ID: <item${index}>\r\n\r\n${inner}\r\n`;
}

/**
 * The answers by call index. Google names each part `Content-ID: <response-itemN>` for the
 * request's `<itemN>`; a part without one (a server that answers in order and says nothing)
 * takes its place among the parts, and brackets or the `response-` prefix may be missing.
 */
function parseAnswers(text: string, boundary: string): Map<number, BatchAnswer> {
  const answers = new Map<number, BatchAnswer>();
  let position = -1;
  for (const section of text.split(`--${boundary}`).slice(1)) {
    if (section.startsWith('--')) break;
    position++;
    const [mime, http = ''] = splitOnce(section.replace(/^\r?\n/, ''), /\r?\n\r?\n/);
    const named = /^content-id:\s*<?(?:response-)?item(\d+)>?\s*$/im.exec(mime)?.[1];
    const index = named === undefined ? position : Number(named);
    const [head, rawBody = ''] = splitOnce(http, /\r?\n\r?\n/);
    const [statusLine = '', ...headerLines] = head.split(/\r?\n/);
    const status = Number(/^HTTP\/\d(?:\.\d)?\s+(\d{3})/.exec(statusLine)?.[1]);
    if (!Number.isInteger(index) || !Number.isInteger(status)) continue;
    const headers = new Headers();
    for (const line of headerLines) {
      const colon = line.indexOf(':');
      if (colon > 0) headers.set(line.slice(0, colon).trim(), line.slice(colon + 1).trim());
    }
    const trimmed = rawBody.trim();
    answers.set(index, { status, headers, body: trimmed ? safeJson(trimmed) : undefined });
  }
  return answers;
}

/** Answers in call order; a call the server did not answer counts as a 503 to retry. */
function orderAnswers(answers: Map<number, BatchAnswer>, count: number): BatchAnswer[] {
  return Array.from(
    { length: count },
    (_, i) => answers.get(i) ?? { status: 503, headers: new Headers(), body: undefined },
  );
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function splitOnce(text: string, separator: RegExp): [string, string | undefined] {
  const match = separator.exec(text);
  if (!match) return [text, undefined];
  return [text.slice(0, match.index), text.slice(match.index + match[0].length)];
}
