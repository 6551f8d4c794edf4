import type { gmail_v1 } from '@googleapis/gmail';
import { z } from 'zod';
import { type GmailRouter, jsonBody, listParam } from './gmail-call.js';
import { gmailErrors } from './gmail-errors.js';
import type { HistoryRecord } from './sim-account.js';
import type { SimFaults } from './sim-faults.js';

const HISTORY_TYPES = ['messageAdded', 'messageDeleted', 'labelAdded', 'labelRemoved'] as const;
const WATCH_DAYS = 7;

const watchBody = z.object({
  topicName: z.string().optional(),
  labelIds: z.array(z.string()).optional(),
  labelFilterBehavior: z.enum(['include', 'exclude', 'INCLUDE', 'EXCLUDE']).optional(),
  labelFilterAction: z.enum(['include', 'exclude', 'INCLUDE', 'EXCLUDE']).optional(),
});

/** history.list, watch and stop. `topics` says which Pub/Sub topics exist. */
export function historyRoutes(
  now: () => number,
  topicExists: (topic: string) => boolean,
  faults: SimFaults,
): GmailRouter {
  return (app, call) => {
    app.get(
      '/:userId/history',
      call('users.history.list', 'read', ({ c, account }) => {
        const startParam = c.req.query('startHistoryId');
        if (!startParam || !/^\d+$/.test(startParam)) {
          throw gmailErrors.invalidArgument('Invalid startHistoryId');
        }
        const records = account.historySince(Number(startParam));
        if (!records) throw gmailErrors.notFound();
        const types = listParam(c, 'historyTypes');
        for (const type of types) {
          if (!(HISTORY_TYPES as readonly string[]).includes(type)) {
            throw gmailErrors.invalidArgument(`Invalid value at 'history_types' (${type})`);
          }
        }
        const labelId = c.req.query('labelId');
        const maxResults = Math.min(
          500,
          Math.max(1, Number(c.req.query('maxResults') ?? 100) || 100),
        );
        const after = decodeCursor(c.req.query('pageToken'));
        const bare = faults.bareHistory(account.email);
        const page: gmail_v1.Schema$History[] = [];
        let more = false;
        let lastId = after;
        for (const record of records) {
          if (record.id <= after) continue;
          if (types.length > 0 && !types.includes(record.change.type)) continue;
          if (labelId && !labelsOf(record).includes(labelId)) continue;
          if (page.length === maxResults) {
            more = true;
            break;
          }
          page.push(toWire(record, bare));
          lastId = record.id;
        }
        const response: gmail_v1.Schema$ListHistoryResponse = {
          historyId: String(account.historyId),
        };
        if (page.length > 0) response.history = page;
        if (more) response.nextPageToken = Buffer.from(String(lastId)).toString('base64url');
        return response;
      }),
    );

    app.post(
      '/:userId/watch',
      call('users.watch', 'read', async ({ c, account }) => {
        const parsed = watchBody.safeParse(await jsonBody(c));
        if (!parsed.success) throw gmailErrors.invalidArgument('Invalid JSON payload received.');
        const { topicName, labelIds = [] } = parsed.data;
        if (!topicName || !/^projects\/[^/]+\/topics\/[^/]+$/.test(topicName)) {
          throw gmailErrors.invalidArgument(
            'Invalid topicName does not match projects/SOME-PROJECT/topics/SOME-TOPIC',
          );
        }
        if (!topicExists(topicName)) {
          throw gmailErrors.failedPrecondition(`Resource not found (resource=${topicName}).`);
        }
        const behavior = (
          parsed.data.labelFilterBehavior ??
          parsed.data.labelFilterAction ??
          'include'
        ).toLowerCase() as 'include' | 'exclude';
        const expiration = now() + WATCH_DAYS * 86_400_000;
        account.watch = { topicName, labelIds, labelFilterBehavior: behavior, expiration };
        return { historyId: String(account.historyId), expiration: String(expiration) };
      }),
    );

    app.post(
      '/:userId/stop',
      call('users.stop', 'read', ({ account }) => {
        account.watch = undefined;
        return undefined;
      }),
    );
  };
}

/** Labels a history record concerns: the message's labels after it, and those it changed. */
export function labelsOf(record: HistoryRecord): string[] {
  const changed = 'labelIds' in record.change ? record.change.labelIds : [];
  return [...record.labelIdsAfter, ...changed];
}

/** A record as Gmail sends it; `bare`: its messages carry only their id and thread id. */
function toWire(record: HistoryRecord, bare: boolean): gmail_v1.Schema$History {
  const { change } = record;
  const message: gmail_v1.Schema$Message = {
    id: change.message.id,
    threadId: change.message.threadId,
    ...(bare ? {} : { labelIds: [...record.labelIdsAfter] }),
  };
  const wire: gmail_v1.Schema$History = {
    id: String(record.id),
    messages: [{ id: change.message.id, threadId: change.message.threadId }],
  };
  switch (change.type) {
    case 'messageAdded':
      wire.messagesAdded = [{ message }];
      break;
    case 'messageDeleted':
      wire.messagesDeleted = [{ message }];
      break;
    case 'labelAdded':
      wire.labelsAdded = [{ message, labelIds: change.labelIds }];
      break;
    case 'labelRemoved':
      wire.labelsRemoved = [{ message, labelIds: change.labelIds }];
      break;
  }
  return wire;
}

function decodeCursor(token: string | undefined): number {
  if (!token) return 0;
  const value = Buffer.from(token, 'base64url').toString();
  if (!/^\d+$/.test(value)) throw gmailErrors.invalidArgument('Invalid pageToken');
  return Number(value);
}
