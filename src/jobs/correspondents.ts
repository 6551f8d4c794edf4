import type { Run, User } from '../domain/model.js';
import type { Mailbox } from '../domain/ports.js';
import { listAll } from './discover-senders.js';
import type { JobDeps } from './job-deps.js';

/** Why the Primary mail of someone the owner writes to is kept. */
const CORRESPONDENT_REASON = 'someone you correspond with';

/** Finds whether the owner replied to a person, from what listing and the marks say. */
export type Correspondence = (
  sender: string,
) => Promise<{ readonly ids: ReadonlySet<string>; readonly reason: string } | undefined>;

/**
 * A person is a correspondent when one of their conversations holds a message the owner sent:
 * the marks remembered from the exact `SENT` listing (conversation-marks.ts) say so for free
 * once their mail is listed with `from:` (5 units a page). Their Primary mail is then kept
 * without reading it, and the decision is cached so that syncs attribute their new mail by
 * search. `from:` also matches display names, so a listing may hold others' mail: that only
 * keeps more, never trashes. Answers the ids listed from the person and why they are kept,
 * or undefined when the owner never replied to them.
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
    const replied = await deps.store.repliedThreads(user.id, threads);
    if (replied.size === 0) return undefined;
    await deps.store.putSenderDecisions(user.id, [
      {
        senderKey: `${sender}|primary`,
        action: 'keep',
        reason: CORRESPONDENT_REASON,
        policyVersion: user.policy.version,
        decidedAt: deps.clock.now(),
      },
    ]);
    return { ids: new Set(listed.map((m) => m.id)), reason: CORRESPONDENT_REASON };
  };
}
