import type { Run, User } from '../domain/model.js';
import type { Mailbox } from '../domain/ports.js';
import { listAll } from './discover-senders.js';
import type { JobDeps } from './job-deps.js';

/** Why the Primary mail of someone the owner writes to is kept. */
const CORRESPONDENT_REASON = 'someone you correspond with';

/**
 * A person's mail as `from:` lists it, and why it is all kept when the owner replied to them
 * (null otherwise: their mail is read and judged).
 */
export interface PersonsMail {
  readonly ids: ReadonlySet<string>;
  readonly keep: string | null;
}

/** Lists a person's mail and finds whether the owner replied to them. */
export type Correspondence = (sender: string) => Promise<PersonsMail>;

/**
 * A person is a correspondent when one of their conversations holds a message the owner sent:
 * the marks remembered from the exact `SENT` listing (conversation-marks.ts) say so for free
 * once their mail is listed with `from:` (5 units a page). Their Primary mail is then kept
 * without reading it, and the decision is cached so that syncs attribute their new mail by
 * search. `from:` also matches display names, so a listing may hold others' mail: that only
 * keeps more, never trashes.
 */
export function correspondence(
  deps: JobDeps,
  run: Run,
  user: User,
  mailbox: Mailbox,
): Correspondence {
  const scope = `before:${Math.floor((run.startedAt ?? deps.clock.now()) / 1000)}`;
  return async (sender) => {
    const listed = await listAll(mailbox, `${scope} from:${sender}`);
    const threads = [...new Set(listed.map((m) => m.threadId))];
    const ids = new Set(listed.map((m) => m.id));
    const replied = await deps.store.repliedThreads(user.id, threads);
    if (replied.size === 0) return { ids, keep: null };
    await deps.store.putSenderDecisions(user.id, [
      {
        senderKey: `${sender}|primary`,
        action: 'keep',
        reason: CORRESPONDENT_REASON,
        policyVersion: user.policy.version,
        decidedAt: deps.clock.now(),
      },
    ]);
    return { ids, keep: CORRESPONDENT_REASON };
  };
}
