import { randomBytes } from 'node:crypto';
import type { Context } from 'hono';
import { gmailErrors } from './gmail-errors.js';

const MAX_CALLS = 100;

interface InnerRequest {
  readonly contentId: string | undefined;
  readonly method: string;
  readonly path: string;
  readonly headers: Headers;
  readonly body: string | undefined;
}

/**
 * `POST /batch/gmail/v1`: a multipart/mixed body of up to 100 `application/http` parts, each
 * run as its own call (and charged as one) through `dispatch`; the answers come back as a
 * multipart/mixed body in the same order, with `Content-ID: <response-ID>`.
 */
export function batchHandler(dispatch: (request: Request, env: unknown) => Promise<Response>) {
  return async (c: Context) => {
    const boundary = /boundary="?([^";]+)"?/i.exec(c.req.header('content-type') ?? '')?.[1];
    if (!boundary || !/^multipart\/mixed/i.test(c.req.header('content-type') ?? '')) {
      return gmailErrors.invalidArgument('Batch requests must be multipart/mixed').toResponse();
    }
    const parts = splitParts(await c.req.text(), boundary);
    if (parts.length === 0) return gmailErrors.invalidArgument('Empty batch request').toResponse();
    if (parts.length > MAX_CALLS) {
      return gmailErrors
        .invalidArgument(`Too many requests in batch: ${parts.length} (at most ${MAX_CALLS})`)
        .toResponse();
    }
    const outer = c.req.header('authorization');
    const answers: string[] = [];
    for (const part of parts) {
      const inner = parseInner(part);
      if (!inner) {
        answers.push(
          answerPart(undefined, gmailErrors.invalidArgument('Malformed part').toResponse(), ''),
        );
        continue;
      }
      if (outer && !inner.headers.has('authorization')) inner.headers.set('authorization', outer);
      const response = await dispatch(
        new Request(`http://gmail.internal${inner.path}`, {
          method: inner.method,
          headers: inner.headers,
          ...(inner.body && inner.method !== 'GET' ? { body: inner.body } : {}),
        }),
        // The outer connection: a part that resets it drops the whole batch, as on the wire.
        c.env,
      );
      answers.push(answerPart(inner.contentId, response, await response.text()));
    }
    const out = `batch_${randomBytes(12).toString('hex')}`;
    const body = `${answers.map((a) => `--${out}\r\n${a}`).join('')}--${out}--\r\n`;
    return c.body(body, 200, { 'content-type': `multipart/mixed; boundary=${out}` });
  };
}

function splitParts(body: string, boundary: string): string[] {
  const delimiter = `--${boundary}`;
  const sections = body.split(delimiter).slice(1);
  const parts: string[] = [];
  for (const section of sections) {
    if (section.startsWith('--')) break;
    parts.push(section.replace(/^\r?\n/, '').replace(/\r?\n$/, ''));
  }
  return parts;
}

/** A part: MIME headers, a blank line, then an HTTP request line, headers and body. */
function parseInner(part: string): InnerRequest | undefined {
  const [mimeHead, http] = splitOnce(part, /\r?\n\r?\n/);
  if (http === undefined) return undefined;
  const contentId = /^content-id:\s*(.+)$/im.exec(mimeHead)?.[1]?.trim();
  const [head, body] = splitOnce(http, /\r?\n\r?\n/);
  const [requestLine, ...headerLines] = head.split(/\r?\n/);
  const match = /^([A-Z]+)\s+(\S+)(?:\s+HTTP\/\d(?:\.\d)?)?$/.exec(requestLine?.trim() ?? '');
  if (!match) return undefined;
  const [, method, target] = match as unknown as [string, string, string];
  const url = new URL(target, 'http://gmail.internal');
  const at = url.pathname.indexOf('/gmail/v1/');
  if (at === -1) return undefined;
  const headers = new Headers();
  for (const line of headerLines) {
    const colon = line.indexOf(':');
    if (colon > 0) headers.set(line.slice(0, colon).trim(), line.slice(colon + 1).trim());
  }
  return {
    contentId,
    method,
    path: url.pathname.slice(at) + url.search,
    headers,
    body: body?.trim() || undefined,
  };
}

function answerPart(contentId: string | undefined, response: Response, body: string): string {
  const id = contentId ? `Content-ID: <response-${contentId.replace(/^<|>$/g, '')}>\r\n` : '';
  const type = response.headers.get('content-type');
  const lines = [
    `HTTP/1.1 ${response.status} ${response.statusText || reason(response.status)}`,
    ...(type ? [`Content-Type: ${type}`] : []),
    ...(response.headers.get('retry-after')
      ? [`Retry-After: ${response.headers.get('retry-after')}`]
      : []),
    `Content-Length: ${Buffer.byteLength(body)}`,
  ];
  return `Content-Type: application/http\r\n${id}\r\n${lines.join('\r\n')}\r\n\r\n${body}\r\n`;
}

function reason(status: number): string {
  return (
    {
      200: 'OK',
      204: 'No Content',
      400: 'Bad Request',
      401: 'Unauthorized',
      403: 'Forbidden',
      404: 'Not Found',
      429: 'Too Many Requests',
      500: 'Internal Server Error',
      503: 'Service Unavailable',
    }[status] ?? 'Status'
  );
}

function splitOnce(text: string, separator: RegExp): [string, string | undefined] {
  const match = separator.exec(text);
  if (!match) return [text, undefined];
  return [text.slice(0, match.index), text.slice(match.index + match[0].length)];
}
