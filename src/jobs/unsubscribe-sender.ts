import { parseListUnsubscribe } from '../domain/list-unsubscribe.js';
import type { AlwaysTrash, Policy, UnsubscribeOutcome } from '../domain/model.js';
import { AppError } from '../errors.js';
import type { JobDeps } from './job-deps.js';

/** The most senders an always-trash list holds; the oldest entries give way. */
export const MAX_ALWAYS_TRASH = 500;

export interface UnsubscribeResult {
  readonly outcome: UnsubscribeOutcome;
  /** Plain words for the owner; never the URL. */
  readonly detail: string;
  /** For a sender without one-click: the page or mailto: the owner opens themselves. */
  readonly link: string | null;
}

/** Sends one RFC 8058 one-click request (see src/adapters/unsubscribe/one-click.ts). */
export type OneClickSend = (url: URL) => Promise<{
  outcome: 'unsubscribed' | 'refused' | 'failed' | 'timeout';
  detail: string;
}>;

/**
 * Unsubscribes the owner from a sender whose mail a run of theirs moved (or proposes to move)
 * to Trash: one message of the sender's in the run gives the List-Unsubscribe headers (one
 * Gmail read); a one-click sender gets the POST from the service, any other gives the owner a
 * link. Whatever happens, the sender joins the always-trash list with the outcome.
 */
export async function unsubscribeSender(
  deps: JobDeps,
  send: OneClickSend,
  input: { userId: string; runId: string; sender: string },
): Promise<UnsubscribeResult> {
  const run = await deps.store.getRun(input.runId);
  if (!run || run.userId !== input.userId) throw new AppError('not_found', 'No such run');
  const messageId = await messageOfSender(deps, run.id, input.sender);
  if (!messageId) {
    throw new AppError('bad_request', 'This run moved no mail of that sender to Trash.');
  }
  const user = await deps.store.getUser(input.userId);
  if (!user) throw new AppError('not_found', 'No such user');
  const mailbox = await deps.mailboxFor(user);
  const headers = await mailbox.headers(messageId, ['List-Unsubscribe', 'List-Unsubscribe-Post']);
  const offer = parseListUnsubscribe(
    headers?.['List-Unsubscribe'],
    headers?.['List-Unsubscribe-Post'],
  );
  let result: UnsubscribeResult;
  if (offer.oneClick) {
    const sent = await send(offer.oneClick);
    // A one-click URL may not take a GET: the owner gets the mailto first, if there is one.
    const fallback = offer.mailto ?? offer.oneClick.href;
    result = { ...sent, link: sent.outcome === 'unsubscribed' ? null : fallback };
  } else if (offer.web || offer.mailto) {
    result = {
      outcome: 'link given',
      detail: 'this sender unsubscribes through its own page or by email',
      link: linkOf(offer),
    };
  } else {
    result = {
      outcome: 'not offered',
      detail: 'this sender offers no way to unsubscribe',
      link: null,
    };
  }
  const latest = (await deps.store.getUser(user.id)) ?? user;
  await deps.store.updateUser(user.id, {
    policy: withAlwaysTrash(latest.policy, {
      sender: input.sender,
      unsubscribe: result.outcome,
      at: deps.clock.now(),
    }),
    updatedAt: deps.clock.now(),
  });
  deps.log.info('unsubscribe attempted', { runId: run.id, outcome: result.outcome });
  return result;
}

function linkOf(offer: ReturnType<typeof parseListUnsubscribe>): string | null {
  return offer.web?.href ?? offer.oneClick?.href ?? offer.mailto;
}

/** A message of `sender` that the run decided to trash, read batch by batch. */
async function messageOfSender(
  deps: JobDeps,
  runId: string,
  sender: string,
): Promise<string | undefined> {
  for (let batchNo = 0; ; batchNo++) {
    const batch = await deps.store.getBatch(runId, batchNo);
    if (!batch) return undefined;
    const found = batch.decisions.find((d) => d.decision === 'trash' && d.sender === sender);
    if (found) return found.id;
  }
}

/**
 * The policy with `entry` on the always-trash list (replacing an older entry of the sender);
 * a sender new to the list changes what is decided, so the version moves on.
 */
export function withAlwaysTrash(policy: Policy, entry: AlwaysTrash): Policy {
  const others = policy.alwaysTrash.filter((e) => e.sender !== entry.sender);
  const isNew = others.length === policy.alwaysTrash.length;
  return {
    ...policy,
    alwaysTrash: [...others, entry].slice(-MAX_ALWAYS_TRASH),
    version: isNew ? policy.version + 1 : policy.version,
  };
}
