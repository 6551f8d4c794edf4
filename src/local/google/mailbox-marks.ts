/**
 * How people mark mail, as Gmail records it: people star, label and snooze conversations,
 * Gmail marks single messages. Starring a conversation stars its newest message only; a label
 * applied to a conversation is on the messages it held then, not on later replies; with more
 * than one star in use, a message carries a star-colour or marker label id beside (or instead
 * of) STARRED. Bulk notifications are threaded by subject, so whole conversations of bulk
 * mail get marked. A mailing list's From can carry another sender's address in its display
 * name ("'deals@shop.example' via Club"), which `from:` matches.
 *
 * Runs after the generator with its own seeded Random, so the mail itself does not change.
 */
import { Random } from './random.js';
import type { SimLabel, SimMessage } from './sim-types.js';

/** The star colours and markers this mailbox's owner turned on (labels.list, `type: system`). */
export const MARKERS_IN_USE = ['YELLOW_STAR', 'RED_STAR', 'RED_BANG', 'GREEN_CHECK'] as const;
const DAY = 86_400_000;

export function markerLabels(): SimLabel[] {
  return MARKERS_IN_USE.map((id) => ({ id, name: id, type: 'system' }));
}

/** Marks conversations in `messages` (newest first); returns the list in the same order. */
export function markConversations(
  messages: SimMessage[],
  seed: number,
  userLabels: readonly SimLabel[],
  now: number,
): SimMessage[] {
  const rng = new Random(seed ^ 0x5eed_3a7c);
  const labelIds = userLabels.map((l) => l.id);
  const out = [...messages];
  threadBulkBySubject(out, rng);
  const threads = new Map<string, SimMessage[]>();
  for (const m of out) push(threads, m.threadId, m);
  for (const thread of threads.values()) {
    // Newest first. Conversations the owner wrote in are protected anyway: mark the others.
    const own = (m: SimMessage) => m.labelIds.includes('SENT') || m.labelIds.includes('DRAFT');
    if (thread.length < 2 || thread.some(own)) continue;
    // An order's updates, a delivery, a booking: people keep such conversations more often.
    const share = thread.every((m) => m.from.bulk) ? 0.2 : 0.1;
    const roll = rng.next();
    if (roll < share) starNewest(thread, rng);
    else if (roll < 2 * share && labelIds.length > 0) labelUpTo(thread, rng, rng.pick(labelIds));
  }
  for (const m of out) {
    if (m.labelIds.includes('STARRED') && rng.chance(0.3)) withMarker(m, rng);
  }
  snoozeSome(out, threads, rng, now);
  return lookAlike(out, rng);
}

/** Gmail threads a sender's notifications with one subject: join a few of a sender's mail. */
function threadBulkBySubject(messages: SimMessage[], rng: Random): void {
  const bySender = new Map<string, SimMessage[]>();
  const singles = new Set(countThreads(messages));
  for (const m of messages) {
    const bulk = ['CATEGORY_PROMOTIONS', 'CATEGORY_SOCIAL', 'CATEGORY_UPDATES'];
    if (!m.from.bulk || !singles.has(m.threadId) || !bulk.some((l) => m.labelIds.includes(l)))
      continue;
    push(bySender, m.from.address, m);
  }
  const at = new Map(messages.map((m, i) => [m.id, i]));
  for (const mail of bySender.values()) {
    if (mail.length < 4 || !rng.chance(0.5)) continue;
    const size = rng.int(2, Math.min(6, mail.length - 1));
    const start = rng.int(0, mail.length - size);
    const part = mail.slice(start, start + size);
    const root = part.at(-1)!;
    for (const m of part)
      messages[at.get(m.id)!] = { ...m, threadId: root.id, subject: root.subject };
  }
}

function countThreads(messages: readonly SimMessage[]): string[] {
  const counts = new Map<string, number>();
  for (const m of messages) counts.set(m.threadId, (counts.get(m.threadId) ?? 0) + 1);
  return [...counts].filter(([, n]) => n === 1).map(([id]) => id);
}

/** Starring a conversation stars its newest message only. */
function starNewest(thread: SimMessage[], rng: Random): void {
  const newest = thread[0]!;
  if (!newest.labelIds.includes('STARRED')) newest.labelIds.push('STARRED');
  if (rng.chance(0.4)) withMarker(newest, rng);
}

/** A marker beside STARRED, or (a marker that is not a star) instead of it. */
function withMarker(m: SimMessage, rng: Random): void {
  const marker = rng.pick(MARKERS_IN_USE);
  if (m.labelIds.includes(marker)) return;
  m.labelIds.push(marker);
  if (!marker.endsWith('_STAR') && rng.chance(0.5)) {
    m.labelIds.splice(m.labelIds.indexOf('STARRED'), 1);
  }
}

/** A label applied to a conversation misses the replies that arrived after it. */
function labelUpTo(thread: SimMessage[], rng: Random, labelId: string): void {
  const from = rng.int(1, thread.length - 1);
  for (const m of thread.slice(from)) if (!m.labelIds.includes(labelId)) m.labelIds.push(labelId);
}

/**
 * Snoozing a conversation: Gmail takes all of it out of the inbox; only `in:snoozed` finds it.
 */
function snoozeSome(
  messages: SimMessage[],
  threads: ReadonlyMap<string, SimMessage[]>,
  rng: Random,
  now: number,
): void {
  for (const m of messages) {
    if (now - m.internalDate > 60 * DAY || !m.labelIds.includes('INBOX')) continue;
    const thread = threads.get(m.threadId);
    if (thread?.[0] !== m || !rng.chance(0.02)) continue;
    for (const member of thread) {
      member.snoozed = true;
      const inbox = member.labelIds.indexOf('INBOX');
      if (inbox !== -1) member.labelIds.splice(inbox, 1);
    }
  }
}

/**
 * One list sender's From names another sender of the same category ("'a@b' via List"), so
 * `from:a@b` also lists the list's mail.
 */
function lookAlike(messages: SimMessage[], rng: Random): SimMessage[] {
  const promos = new Map<string, SimMessage[]>();
  for (const m of messages) {
    if (!m.from.bulk || !m.labelIds.includes('CATEGORY_PROMOTIONS')) continue;
    push(promos, m.from.address, m);
  }
  const senders = [...promos.keys()];
  if (senders.length < 2) return messages;
  const [named, list] = rng.shuffle(senders).slice(0, 2) as [string, string];
  const original = promos.get(list)![0]!.from;
  const from = { ...original, name: `'${named}' via ${original.name}` };
  return messages.map((m) => (m.from.address === list ? { ...m, from } : m));
}

function push<T>(groups: Map<string, T[]>, key: string, item: T): void {
  const group = groups.get(key);
  if (group) group.push(item);
  else groups.set(key, [item]);
}
