/**
 * The building blocks both mailbox shapes compose: threads of bulk mail and of people, dates,
 * and Gmail-like ids assigned once every message is drawn.
 */
import type { Bulk, Person } from './mailbox-senders.js';
import type { Draft, Writer } from './mailbox-writer.js';
import type { Random } from './random.js';
import type { SimMessage, SimSender } from './sim-types.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/** Gmail-like ids: the ms timestamp in hex, then a 20-bit sequence, so ids sort by date. */
export function messageId(ms: number, low: number): string {
  return ms.toString(16).padStart(11, '0') + low.toString(16).padStart(5, '0');
}

export function assignIds(drafts: Draft[], rng: Random): SimMessage[] {
  // Stable, and a reply is always later than its original: originals get their ids first.
  drafts.sort((a, b) => a.date - b.date);
  const messages = new Array<SimMessage>(drafts.length);
  let last = -1;
  let low = 0;
  drafts.forEach((draft, i) => {
    low = draft.date === last ? low + 1 : rng.int(0, 0x3ffff);
    last = draft.date;
    draft.built = toMessage(draft, messageId(draft.date, low));
    messages[drafts.length - 1 - i] = draft.built;
  });
  return messages;
}

export function toMessage(d: Draft, id: string): SimMessage {
  return {
    id,
    threadId: d.root ? d.root.built!.id : id,
    internalDate: d.date,
    // An exact-size copy: arrays grown by push keep spare capacity.
    labelIds: d.labels.slice(),
    from: d.from,
    to: d.to,
    subject: d.subject,
    snippet: d.snippet,
    sizeEstimate: d.size,
    attachments: d.attachments,
    messageIdHeader: `<${id}${headerSuffix(d.from)}`,
    inReplyTo: d.parent ? d.parent.built!.messageIdHeader : undefined,
    historyId: 1,
  };
}

const suffixes = new WeakMap<SimSender, string>();

/** `@mail.<domain>>`, once per sender rather than once per message. */
function headerSuffix(sender: SimSender): string {
  let suffix = suffixes.get(sender);
  if (suffix === undefined) {
    suffix = `@mail.${sender.address.split('@')[1]}>`;
    suffixes.set(sender, suffix);
  }
  return suffix;
}

export function bulkThread(w: Writer, limit: number, b: Bulk): void {
  const stream = w.rng.weighted(b.kind.streams);
  const first = w.fromBulk(b, stream, dateWithin(w.rng, w.now, b.maxAge));
  const reply = (date: number, parent: Draft) => w.fromBulk(b, stream, date, parent);
  if (stream.threadGrowth) {
    converse(w, limit, first, stream.threadGrowth, 1, 6 * HOUR, reply);
  } else if (stream.replyRate && w.rng.chance(stream.replyRate)) {
    // The owner asks support about an order or a booking; the sender answers.
    converse(w, limit, first, 1, 0.8, 20 * HOUR, (date, parent, turn) =>
      turn % 2 === 0 ? w.fromOwner(b, date, parent) : reply(date, parent),
    );
  }
}

export function personThread(
  w: Writer,
  limit: number,
  p: Person,
  span: number,
  ownerStarts: boolean,
) {
  const date = dateWithin(w.rng, w.now, span);
  const first = ownerStarts ? w.fromOwner(p, date) : w.fromPerson(p, date);
  const chatty = p.group === 'family' || p.group === 'work' ? 0.55 : 0.4;
  converse(w, limit, first, ownerStarts ? 0.6 : chatty, 0.6, 3 * HOUR, (d, parent, turn) =>
    (turn % 2 === 0) === ownerStarts
      ? w.fromPerson(p, d, parent)
      : w.fromOwner(p, d, parent, w.rng.chance(0.03)),
  );
}

/** Adds replies while the other side keeps answering, each a little less likely. */
function converse(
  w: Writer,
  limit: number,
  first: Draft,
  chance: number,
  decay: number,
  medianDelay: number,
  next: (date: number, parent: Draft, turn: number) => Draft,
): void {
  let parent = first;
  for (let turn = 0, p = chance; turn < 12 && w.drafts.length < limit; turn++, p *= decay) {
    if (!w.rng.chance(p)) return;
    const date = parent.date + Math.max(MINUTE, Math.round(w.rng.lognormal(medianDelay, 1.5)));
    if (date > w.now) return;
    parent = next(date, parent, turn);
    if (parent.labels[0] === 'DRAFT') return;
  }
}

/** Recent mail is denser: the density falls linearly to half its value at `maxAge`. */
export function dateWithin(rng: Random, now: number, maxAge: number): number {
  return Math.floor(now - (2 - Math.sqrt(4 - 3 * rng.next())) * maxAge);
}

/** Sender counts grow sublinearly with the mailbox: c * size^exponent, within [3, max]. */
export function scale(size: number, c: number, exponent: number, max: number): number {
  return Math.min(max, Math.max(3, Math.round(c * size ** exponent)));
}
