import type { BatchPlan, MessageDecision, SenderDecision, User } from '../domain/model.js';
import type { Mailbox } from '../domain/ports.js';
import type { ConversationMark } from '../domain/protection.js';
import { isCurrent, senderKey } from '../domain/sender-groups.js';
import { listAll } from './discover-senders.js';
import type { JobDeps } from './job-deps.js';
import { once } from './read-once.js';

/** Why the Primary mail of someone the owner writes to is kept. */
const CORRESPONDENT_REASON = 'someone you correspond with';

/** A person's mail as `from:` lists it, and the conversations it is in. */
export interface PersonsMail {
  readonly ids: ReadonlySet<string>;
  readonly threads: readonly string[];
}

/** People's mail, and which of them the owner replied to. */
export interface Correspondence {
  /** Lists a person's mail (once a plan: it spans the parts of the mailbox). */
  mailOf(sender: string): Promise<PersonsMail>;
  /** Of these people, those the owner replied to (the user's marks are read once a plan). */
  repliedTo(senders: readonly string[]): Promise<ReadonlySet<string>>;
}

/**
 * A person is a correspondent when one of their conversations holds a message the owner sent:
 * the marks remembered from the exact `SENT` listing (conversation-marks.ts) say so for free
 * once their mail is listed with `from:` (5 units a page). `from:` also matches display names,
 * so a listing may hold others' mail: it only decides what is kept, never what is trashed.
 * Made once a plan, so that a person met in several parts is listed and looked up once.
 */
export function correspondence(
  deps: JobDeps,
  user: User,
  mailbox: Mailbox,
  /** The user's marked conversations, read once (the plan shares its own read). */
  marks: () => Promise<ReadonlyMap<string, ReadonlySet<ConversationMark>>> = once(() =>
    deps.store.allMarkedThreads(user.id),
  ),
): Correspondence {
  const listings = new Map<string, Promise<PersonsMail>>();
  const replied = new Map<string, boolean>();
  const list = async (sender: string): Promise<PersonsMail> => {
    // No date bound, as the parts have none (scan-partitions.ts).
    const listed = await listAll(mailbox, `from:${sender}`);
    return {
      ids: new Set(listed.map((m) => m.id)),
      threads: [...new Set(listed.map((m) => m.threadId))],
    };
  };
  const mailOf = (sender: string) => {
    const found = listings.get(sender) ?? list(sender);
    listings.set(sender, found);
    return found;
  };
  return {
    mailOf,
    async repliedTo(senders) {
      const wanted = [...new Set(senders)].filter((sender) => !replied.has(sender));
      const mail = await Promise.all(
        wanted.map(async (sender) => [sender, await mailOf(sender)] as const),
      );
      const marked = mail.length > 0 ? await marks() : new Map();
      for (const [sender, m] of mail) {
        replied.set(
          sender,
          m.threads.some((t) => marked.get(t)?.has('sent') === true),
        );
      }
      return new Set(senders.filter((sender) => replied.get(sender)));
    },
  };
}

/**
 * A correspondent's mail in a sender batch is kept unread when the classifier kept the sample
 * read of it (it still judges that one: a model that would trash it makes the rest be read
 * and judged, as in a scan message by message). The decision is cached so that syncs
 * attribute the person's new mail by search. Answers why the mail is kept, or undefined.
 */
export async function keptCorrespondent(
  deps: JobDeps,
  user: User,
  plan: Extract<BatchPlan, { kind: 'sender' }>,
  judged: readonly MessageDecision[],
  /** The person's cached decision, if any: one already current is not written again. */
  cached: SenderDecision | undefined,
): Promise<string | undefined> {
  const [first] = plan.samples;
  if (!plan.correspondent || !first || judged.length === 0) return undefined;
  if (!judged.every((d) => d.decision === 'keep')) return undefined;
  const remembered =
    cached?.action === 'keep' &&
    cached.reason === CORRESPONDENT_REASON &&
    isCurrent(cached, user.policy);
  if (remembered) return CORRESPONDENT_REASON;
  await deps.store.putSenderDecisions(user.id, [
    {
      senderKey: senderKey(first),
      action: 'keep',
      reason: CORRESPONDENT_REASON,
      policyVersion: user.policy.version,
      decidedAt: deps.clock.now(),
    },
  ]);
  return CORRESPONDENT_REASON;
}
