import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { messageId } from '../src/local/google/mailbox-threads.js';
import type { SimMessage, WireHeaders } from '../src/local/google/sim-types.js';
import { startFakeOpenAi, VALID_KEY } from './helpers/fake-openai.js';
import { type StartedService, signIn, startLocalService } from './helpers/local-service.js';
import { oddMailbox } from './helpers/odd-mailboxes.js';
import { envelope, PUSH_TOKEN, waitFor } from './helpers/ongoing-cleanup.js';
import { type RunJson, runIdOf, waitForRun } from './helpers/outside-checks.js';
import { type RunningGoogle, startSimulatedGoogle } from './helpers/simulated-google.js';

const OWNER = 'odd-sync@example.com';
const TOPIC = 'projects/demo-clean-that-up/topics/gmail';
const DAY = 86_400_000;

/**
 * New mail after a full scan, through the contract: Gmail's push to `/push/gmail`, then the
 * runs `GET /api/runs` lists. The LLM answers "trash" for everything; the new mail is dated
 * 40 days back (imported mail keeps its date).
 */
describe('new mail of odd conversations and odd headers, after a full scan', () => {
  let google: RunningGoogle;
  let started: StartedService;
  let closeFake: () => Promise<void>;
  let before: SimMessage[];
  const arrived = new Map<string, SimMessage>();

  /** A new promotion, in conversation `thread` when given, with odd headers when given. */
  const newMail = (
    name: string,
    thread?: SimMessage,
    from = { name: 'Deals', address: 'deals@new.example', bulk: true },
    wireHeaders?: WireHeaders,
  ): SimMessage => {
    const date = Date.now() - 40 * DAY - arrived.size * 1000;
    const id = messageId(date, 0xfff00 + arrived.size);
    const message: SimMessage = {
      id,
      threadId: thread?.threadId ?? id,
      internalDate: date,
      labelIds: ['CATEGORY_PROMOTIONS', 'INBOX', 'UNREAD'],
      from,
      to: [OWNER],
      subject: thread ? `Re: ${thread.subject}` : 'New deals',
      snippet: 'More deals inside',
      sizeEstimate: 12_345,
      attachments: [],
      messageIdHeader: `<${id}@new.example>`,
      inReplyTo: thread?.messageIdHeader,
      historyId: 1,
      ...(wireHeaders ? { wireHeaders } : {}),
    };
    arrived.set(name, message);
    return message;
  };

  const threadWith = (label: string): SimMessage => {
    const marked = before.find((m) => m.labelIds.includes(label));
    if (!marked) throw new Error(`no message carries ${label}`);
    return marked;
  };

  beforeAll(async () => {
    google = await startSimulatedGoogle(
      [{ email: OWNER, mailbox: oddMailbox(OWNER, 91, Date.now()) }],
      { userUnitsPerMinute: 100_000_000 },
    );
    google.google.notifier.setTopic(TOPIC, { kind: 'function', deliver: () => {} });
    const fake = await startFakeOpenAi();
    fake.trashAll = true;
    closeFake = fake.close;
    started = await startLocalService(google, {
      env: {
        GMAIL_USER_UNITS_PER_MINUTE: '1000000',
        PUSH_VERIFICATION_TOKEN: PUSH_TOKEN,
        PUBSUB_TOPIC: TOPIC,
        OPENAI_BASE_URL: fake.baseUrl,
      },
    });
    const { client } = started;
    await signIn(client);
    await client.post('/app/openai-key', { apiKey: VALID_KEY });
    const runId = runIdOf(await client.post('/app/runs', { mode: 'auto' }));
    expect((await waitForRun(client, runId)).status).toBe('DONE');
    const account = google.google.account(OWNER);
    await waitFor(() => account.watch, 'the watch');
    before = [...account.messagesAfter(undefined)].map((m) => ({
      ...m,
      labelIds: [...m.labelIds],
    }));

    const deliveries = [
      newMail('red bang conversation', threadWith('RED_BANG')),
      newMail('unknown system mark conversation', threadWith('GREEN_CIRCLE')),
      newMail('nested label conversation', threadWith('Label_8')),
      newMail(
        'deleted reply conversation',
        before.find((m) => m.labelIds.includes('SENT') && m.labelIds.includes('TRASH')),
      ),
      newMail(
        'no From',
        undefined,
        { name: '', address: '', bulk: true },
        { from: null, subject: null },
      ),
      newMail(
        'group syntax',
        undefined,
        { name: 'undisclosed-recipients', address: '', bulk: true },
        { from: 'undisclosed-recipients:;' },
      ),
      newMail(
        'encoded name',
        undefined,
        { name: 'Café Crème', address: 'deals@cafe-creme.example', bulk: true },
        { from: '=?UTF-8?Q?Caf=C3=A9_Cr=C3=A8me?= <deals@cafe-creme.example>' },
      ),
      newMail('plain'),
    ];
    for (const message of deliveries) google.google.deliver(OWNER, message);
    const pushed = await fetch(`${started.url}/push/gmail?token=${PUSH_TOKEN}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(envelope(OWNER, account.historyId)),
    });
    expect(pushed.status).toBe(204);
    // Mail that arrives now is taken for young (kept for the coming-of-age pass): what counts
    // here is that every message is decided, and none of a marked conversation is trashed.
    await waitFor(async () => {
      const runs = (await (await client.get('/api/runs')).json()) as RunJson[];
      const syncs = runs.filter((r) => r.kind === 'incremental');
      const processed = syncs.reduce((n, r) => n + r.processed, 0);
      return syncs.every((r) => r.status === 'DONE') && processed >= arrived.size
        ? syncs
        : undefined;
    }, 'the sync of the new mail');
  }, 120_000);

  afterAll(async () => {
    await started?.close();
    await closeFake?.();
    await google?.close();
  });

  it.each([
    'red bang conversation',
    'unknown system mark conversation',
    'nested label conversation',
    'deleted reply conversation',
  ])('keeps new mail of a marked conversation out of Trash (%s)', (name) => {
    const message = google.google.account(OWNER).message(arrived.get(name)!.id);
    expect(message?.labelIds).not.toContain('TRASH');
  });

  it('decides every new message, odd headers included, without a failure', async () => {
    const runs = (await (await started.client.get('/api/runs')).json()) as RunJson[];
    const syncs = runs.filter((r) => r.kind === 'incremental');
    expect(syncs.reduce((n, r) => n + r.processed, 0)).toBe(arrived.size);
    expect(syncs.reduce((n, r) => n + r.failed, 0)).toBe(0);
    expect(syncs.reduce((n, r) => n + r.protected, 0)).toBe(4);
    expect(syncs.flatMap((r) => r.errors)).toEqual([]);
  });
});
