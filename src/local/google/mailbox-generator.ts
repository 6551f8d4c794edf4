import { generateLongTailMailbox } from './mailbox-long-tail.js';
import { markConversations, markerLabels } from './mailbox-marks.js';
import {
  KIND_WEIGHTS,
  makeBulkSender,
  makeBulkSenders,
  makePeople,
  makeSpamSender,
  makeUserLabels,
} from './mailbox-senders.js';
import {
  assignIds,
  bulkThread,
  dateWithin,
  messageId,
  personThread,
  scale,
  toMessage,
} from './mailbox-threads.js';
import { type Draft, Writer } from './mailbox-writer.js';
import { Random, WeightedTable, zipfWeights } from './random.js';
import type { SimLabel, SimMessage, SimSender } from './sim-types.js';

/**
 * `head-heavy`: a few bulk senders carry most of the mail. `long-tail`: most senders sent a
 * handful of messages each, as in real mailboxes (see mailbox-long-tail.ts).
 */
export const MAILBOX_SHAPES = ['head-heavy', 'long-tail'] as const;
export type MailboxShape = (typeof MAILBOX_SHAPES)[number];

export interface MailboxSpec {
  seed: number;
  size: number;
  ownerEmail: string;
  /** Epoch milliseconds; every message is dated at or before it. */
  now: number;
  /** How far back the mail goes; 2 when omitted. */
  years?: number;
  /** `head-heavy` when omitted. */
  shape?: MailboxShape | undefined;
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

const DAY = 86_400_000;
const YEAR = 365.25 * DAY;

/**
 * A realistic mailbox, the same for the same spec: a Zipf-like head of bulk senders carrying
 * most of the mail, a long tail of people, threads with the owner's replies, and the labels
 * Gmail and a person would have put on it. Never contains TRASH.
 */
export function generateMailbox(spec: MailboxSpec): GeneratedMailbox {
  if (spec.shape === 'long-tail') return generateLongTailMailbox(spec);
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
