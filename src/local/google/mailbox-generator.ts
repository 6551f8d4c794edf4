import { markConversations, markerLabels } from './mailbox-marks.js';
import {
  type Bulk,
  KIND_WEIGHTS,
  makeBulkSender,
  makeBulkSenders,
  makePeople,
  makeSpamSender,
  makeUserLabels,
  type Person,
} from './mailbox-senders.js';
import { type Draft, Writer } from './mailbox-writer.js';
import { Random, WeightedTable, zipfWeights } from './random.js';
import type { SimLabel, SimMessage, SimSender } from './sim-types.js';

export interface MailboxSpec {
  seed: number;
  size: number;
  ownerEmail: string;
  /** Epoch milliseconds; every message is dated at or before it. */
  now: number;
  /** How far back the mail goes; 2 when omitted. */
  years?: number;
}

export interface GeneratedMailbox {
  userLabels: SimLabel[];
  /** Star colours and markers in use: system labels that labels.list reports. */
  markerLabels?: SimLabel[];
  /** Newest first: internalDate descending, then id descending. */
  messages: SimMessage[];
}

/** Where an incoming message belongs, when it continues a thread or comes from a known sender. */
export interface IncomingContext {
  threadId?: string;
  inReplyTo?: string;
  from?: SimSender;
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const YEAR = 365.25 * DAY;

/**
 * A realistic mailbox, the same for the same spec: a Zipf-like head of bulk senders carrying
 * most of the mail, a long tail of people, threads with the owner's replies, and the labels
 * Gmail and a person would have put on it. Never contains TRASH.
 */
export function generateMailbox(spec: MailboxSpec): GeneratedMailbox {
  const { size, now } = spec;
  const rng = new Random(spec.seed);
  const span = (spec.years ?? 2) * YEAR;
  const { userLabels, labelIds } = makeUserLabels(rng, now);
  const w = new Writer(rng, spec.ownerEmail, now, labelIds);
  const taken = new Set([spec.ownerEmail.toLowerCase()]);
  const bulk = makeBulkSenders(rng, scale(size, 4, 0.3, 150), taken, span);
  const people = makePeople(rng, scale(size, 2.2, 0.55, 3000), taken);
  const spam = Array.from({ length: Math.max(3, bulk.length >> 1) }, () => makeSpamSender(rng));
  // A mailing-list thread brings several messages: pick its sender less often.
  const zipf = zipfWeights(bulk.length, 1.1);
  const bulkTable = new WeightedTable(
    bulk,
    bulk.map((b, i) => zipf[i]! * (1 - (b.kind.streams[0]?.[0].threadGrowth ?? 0))),
  );
  const peopleTable = new WeightedTable(people, zipfWeights(people.length, 1));
  const someone = () => peopleTable.pick(rng);
  const threads: (readonly [() => void, number])[] = [
    [() => bulkThread(w, size, bulkTable.pick(rng)), 85],
    [() => personThread(w, size, someone(), span, false), 9],
    [() => personThread(w, size, someone(), span, true), 4],
    [() => w.chat(someone(), dateWithin(rng, now, span)), 1],
    // Gmail deletes spam after 30 days.
    [() => w.spam(rng.pick(spam), now - rng.int(0, 30 * DAY)), 0.7],
    [() => w.fromOwner(someone(), dateWithin(rng, now, span), undefined, true), 0.3],
  ];
  while (w.drafts.length < size) rng.weighted(threads)();
  const messages = markConversations(assignIds(w.drafts, rng), spec.seed, userLabels, now);
  return { userLabels, markerLabels: markerLabels(), messages };
}

/** A message arriving now, for tests of incremental sync. */
export function makeIncomingMessage(
  rng: Random,
  owner: string,
  now: number,
  kind: 'bulk' | 'personal',
  existing?: IncomingContext,
): SimMessage {
  const w = new Writer(rng, owner, now, new Map());
  const taken = new Set([owner.toLowerCase()]);
  let draft: Draft;
  if (kind === 'bulk') {
    const b = makeBulkSender(rng, rng.weighted(KIND_WEIGHTS), taken, YEAR);
    const sender = existing?.from ?? b.sender;
    draft = w.fromBulk({ ...b, sender }, rng.weighted(b.kind.streams), now);
  } else {
    const person = makePeople(rng, 1, taken)[0]!;
    draft = w.fromPerson(existing?.from ? { ...person, sender: existing.from } : person, now);
  }
  for (const label of ['INBOX', 'UNREAD']) {
    if (!draft.labels.includes(label)) draft.labels.push(label);
  }
  const message = toMessage(draft, messageId(now, rng.int(0, 0xfffff)));
  return {
    ...message,
    threadId: existing?.threadId ?? message.id,
    inReplyTo: existing?.inReplyTo,
  };
}

/** Gmail-like ids: the ms timestamp in hex, then a 20-bit sequence, so ids sort by date. */
function messageId(ms: number, low: number): string {
  return ms.toString(16).padStart(11, '0') + low.toString(16).padStart(5, '0');
}

function assignIds(drafts: Draft[], rng: Random): SimMessage[] {
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

function toMessage(d: Draft, id: string): SimMessage {
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

function bulkThread(w: Writer, limit: number, b: Bulk): void {
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

function personThread(w: Writer, limit: number, p: Person, span: number, ownerStarts: boolean) {
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
function dateWithin(rng: Random, now: number, maxAge: number): number {
  return Math.floor(now - (2 - Math.sqrt(4 - 3 * rng.next())) * maxAge);
}

/** Sender counts grow sublinearly with the mailbox: c * size^exponent, within [3, max]. */
function scale(size: number, c: number, exponent: number, max: number): number {
  return Math.min(max, Math.max(3, Math.round(c * size ** exponent)));
}
