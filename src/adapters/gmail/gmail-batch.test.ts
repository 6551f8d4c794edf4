import { OAuth2Client } from 'google-auth-library';
import { afterEach, describe, expect, it } from 'vitest';
import { type Listening, listen } from '../../../test/helpers/listen.js';
import { sendGmailBatch } from './gmail-batch.js';

/** A batch endpoint that answers each part with its index, in the shape `render` gives it. */
async function batchServer(
  render: (parts: { index: number; body: string }[], boundary: string) => string,
): Promise<Listening> {
  return listen(async (request) => {
    const boundary = /boundary=([^;]+)/.exec(request.headers.get('content-type') ?? '')![1]!;
    const calls = (await request.text()).split(`--${boundary}`).slice(1, -1);
    const parts = calls.map((_, index) => ({ index, body: JSON.stringify({ id: `m${index}` }) }));
    return new Response(render(parts, 'answer_boundary'), {
      headers: { 'content-type': 'multipart/mixed; boundary=answer_boundary' },
    });
  });
}

const http = (body: string, eol: string) =>
  `HTTP/1.1 200 OK${eol}Content-Type: application/json${eol}${eol}${body}${eol}`;

function auth(): OAuth2Client {
  const client = new OAuth2Client({ clientId: 'c', clientSecret: 's' });
  client.setCredentials({ access_token: 'token', expiry_date: Date.now() + 3_600_000 });
  return client;
}

const CALLS = [0, 1, 2].map((i) => ({
  method: 'GET' as const,
  path: `/gmail/v1/users/me/messages/m${i}`,
}));

describe('a Gmail batch answer', () => {
  let server: Listening | undefined;
  afterEach(async () => server?.close());

  it('is matched to its calls by Content-ID, in whatever order the parts come', async () => {
    server = await batchServer((parts, b) =>
      [...parts]
        .reverse()
        .map(
          (p) =>
            `--${b}\r\nContent-Type: application/http\r\nContent-ID: <response-item${p.index}>\r\n\r\n${http(p.body, '\r\n')}`,
        )
        .join('')
        .concat(`--${b}--\r\n`),
    );
    const answers = await sendGmailBatch(auth(), `${server.url}/batch/gmail/v1`, CALLS);
    expect(answers.map((a) => a.body)).toEqual([{ id: 'm0' }, { id: 'm1' }, { id: 'm2' }]);
  });

  it('is matched in order when a server names no part, or names them without brackets, with bare line feeds', async () => {
    server = await batchServer((parts, b) =>
      parts
        .map((p) => {
          const id = p.index === 1 ? 'Content-ID: response-item1\n' : '';
          return `--${b}\nContent-Type: application/http\n${id}\n${http(p.body, '\n')}`;
        })
        .join('')
        .concat(`--${b}--\n`),
    );
    const answers = await sendGmailBatch(auth(), `${server.url}/batch/gmail/v1`, CALLS);
    expect(answers.map((a) => [a.status, a.body])).toEqual([
      [200, { id: 'm0' }],
      [200, { id: 'm1' }],
      [200, { id: 'm2' }],
    ]);
  });
});
