import type { gmail_v1 } from '@googleapis/gmail';
import { z } from 'zod';
import { type GmailRouter, jsonBody, listParam } from './gmail-call.js';
import { gmailErrors } from './gmail-errors.js';
import { formatMessage, type MessageFormat, messageRef } from './gmail-message-format.js';
import { matchesQuery, parseQuery, reachesSpamOrTrash } from './gmail-search.js';
import type { ListPosition, SimAccount } from './sim-account.js';
import type { SimFaults } from './sim-faults.js';
import type { SimMessage } from './sim-types.js';

const ID = /^[0-9a-f]{16}$/;
/** System labels a client may add or remove; SENT, DRAFT and CHAT are Gmail's to set. */
const MUTABLE_SYSTEM = new Set(['INBOX', 'SPAM', 'TRASH', 'UNREAD', 'STARRED', 'IMPORTANT']);

const modifyBody = z.object({
  addLabelIds: z.array(z.string()).optional(),
  removeLabelIds: z.array(z.string()).optional(),
});
const batchModifyBody = modifyBody.extend({ ids: z.array(z.string()).optional() });
const batchDeleteBody = z.object({ ids: z.array(z.string()).optional() });

export function messageRoutes(faults: SimFaults, now: () => number): GmailRouter {
  return (app, call) => {
    app.get(
      '/:userId/profile',
      call(
        'users.getProfile',
        'read',
        ({ account }): gmail_v1.Schema$Profile => ({
          emailAddress: account.email,
          messagesTotal: account.messageCount,
          threadsTotal: account.threadCount,
          historyId: String(account.historyId),
        }),
      ),
    );

    app.get(
      '/:userId/labels',
      call('users.labels.list', 'read', ({ account }) => ({
        labels: [...account.labels.values()].map((label) => ({
          id: label.id,
          name: label.name,
          type: label.type,
          ...(label.type === 'user'
            ? { messageListVisibility: 'show', labelListVisibility: 'labelShow' }
            : {}),
        })),
      })),
    );

    app.get(
      '/:userId/messages',
      call('users.messages.list', 'read', ({ c, account }) => {
        const maxResults = clamp(Number(c.req.query('maxResults') ?? 100), 1, 500);
        const refused = faults.queryRefusal(account.email, c.req.query('q') ?? '');
        if (refused) throw refused;
        const query = parseQuery(c.req.query('q') ?? '');
        const labelIds = listParam(c, 'labelIds');
        const includeSpamTrash =
          c.req.query('includeSpamTrash') === 'true' ||
          reachesSpamOrTrash(query) ||
          labelIds.some((id) => id === 'SPAM' || id === 'TRASH');
        const start = decodeToken(c.req.query('pageToken'));
        const ctx = account.searchContext(now());
        const page: SimMessage[] = [];
        let scanned = 0;
        let more = false;
        for (const message of account.messagesAfter(start)) {
          scanned++;
          if (!includeSpamTrash && message.labelIds.some((id) => id === 'SPAM' || id === 'TRASH'))
            continue;
          if (!labelIds.every((id) => message.labelIds.includes(id))) continue;
          if (!matchesQuery(query, message, ctx)) continue;
          if (page.length === maxResults) {
            more = true;
            break;
          }
          page.push(message);
        }
        const last = page.at(-1);
        const response: gmail_v1.Schema$ListMessagesResponse = {
          resultSizeEstimate: estimate(page.length, scanned, account.messageCount, more),
        };
        if (page.length > 0) response.messages = page.map(messageRef);
        if (more && last) response.nextPageToken = encodeToken(last);
        for (const message of page) if (faults.vanishes(account.email)) account.delete(message);
        return response;
      }),
    );

    app.get(
      '/:userId/messages/:id',
      call('users.messages.get', 'read', ({ c, account }) => {
        const format = (c.req.query('format') ?? 'full') as MessageFormat;
        if (!['minimal', 'metadata', 'full', 'raw'].includes(format)) {
          throw gmailErrors.invalidArgument(`Invalid value at 'format' (${format})`);
        }
        const message = find(account, c.req.param('id'));
        return formatMessage(message, format, listParam(c, 'metadataHeaders'));
      }),
    );

    app.post(
      '/:userId/messages/batchModify',
      call('users.messages.batchModify', 'modify', async ({ c, account }) => {
        const body = parse(batchModifyBody, await jsonBody(c));
        const ids = body.ids ?? [];
        if (ids.length === 0) throw gmailErrors.invalidArgument('No message ids specified');
        if (ids.length > 1000)
          throw gmailErrors.invalidArgument('Too many ids specified (max 1000)');
        const bad = ids.find((id) => !ID.test(id));
        if (bad !== undefined) throw gmailErrors.invalidArgument('Invalid id value');
        const [add, remove] = checkLabels(account, body);
        // Ids that no longer exist are skipped, as Gmail gives no guarantee about them.
        for (const id of ids) {
          const message = account.message(id);
          if (message) account.modify(message, add, remove);
        }
        return undefined;
      }),
    );

    app.post(
      '/:userId/messages/batchDelete',
      call('users.messages.batchDelete', 'full', async ({ c, account }) => {
        const ids = parse(batchDeleteBody, await jsonBody(c)).ids ?? [];
        if (ids.length === 0) throw gmailErrors.invalidArgument('No message ids specified');
        if (ids.length > 1000)
          throw gmailErrors.invalidArgument('Too many ids specified (max 1000)');
        for (const id of ids) {
          const message = account.message(id);
          if (message) account.delete(message);
        }
        return undefined;
      }),
    );

    app.post(
      '/:userId/messages/:id/modify',
      call('users.messages.modify', 'modify', async ({ c, account }) => {
        const message = find(account, c.req.param('id'));
        const [add, remove] = checkLabels(account, parse(modifyBody, await jsonBody(c)));
        account.modify(message, add, remove);
        return formatMessage(message, 'minimal');
      }),
    );

    app.post(
      '/:userId/messages/:id/trash',
      call('users.messages.trash', 'modify', ({ c, account }) => {
        const message = find(account, c.req.param('id'));
        account.modify(message, ['TRASH'], []);
        return formatMessage(message, 'minimal');
      }),
    );

    app.post(
      '/:userId/messages/:id/untrash',
      call('users.messages.untrash', 'modify', ({ c, account }) => {
        const message = find(account, c.req.param('id'));
        account.modify(message, [], ['TRASH']);
        return formatMessage(message, 'minimal');
      }),
    );
  };
}

function find(account: SimAccount, id: string | undefined): SimMessage {
  if (id === undefined || !ID.test(id)) throw gmailErrors.invalidArgument('Invalid id value');
  const message = account.message(id);
  if (!message) throw gmailErrors.notFound();
  return message;
}

function checkLabels(
  account: SimAccount,
  body: { addLabelIds?: string[] | undefined; removeLabelIds?: string[] | undefined },
): [string[], string[]] {
  const add = body.addLabelIds ?? [];
  const remove = body.removeLabelIds ?? [];
  for (const id of [...add, ...remove]) {
    const label = account.labels.get(id);
    const allowed =
      label && (label.type === 'user' || MUTABLE_SYSTEM.has(id) || id.startsWith('CATEGORY_'));
    if (!allowed) throw gmailErrors.invalidArgument(`Invalid label: ${id}`);
  }
  return [add, remove];
}

function parse<T>(schema: z.ZodType<T>, body: unknown): T {
  const parsed = schema.safeParse(body);
  if (!parsed.success) throw gmailErrors.invalidArgument('Invalid JSON payload received.');
  return parsed.data;
}

function clamp(value: number, min: number, max: number): number {
  return Number.isFinite(value) ? Math.min(max, Math.max(min, Math.trunc(value))) : min;
}

/** Page tokens are opaque cursors: the list position after the last message returned. */
function encodeToken(message: SimMessage): string {
  return Buffer.from(`${message.internalDate}:${message.id}`).toString('base64url');
}

function decodeToken(token: string | undefined): ListPosition | undefined {
  if (!token) return undefined;
  const [date, id] = Buffer.from(token, 'base64url').toString().split(':');
  if (!date || !id || !/^\d+$/.test(date) || !ID.test(id)) {
    throw gmailErrors.invalidArgument('Invalid pageToken');
  }
  return { internalDate: Number(date), id };
}

/** Like Gmail, an estimate: exact on the last page, extrapolated from the scanned share before. */
function estimate(found: number, scanned: number, total: number, more: boolean): number {
  if (!more) return found;
  return Math.max(found + 1, Math.round((found / Math.max(1, scanned)) * total));
}
