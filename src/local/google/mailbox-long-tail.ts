/**
 * The long-tail mailbox shape: what real mailboxes look like once years of sign-ups pile up.
 * A small head of bulk senders still sends a quarter of the mail, but most senders are shops,
 * services and lists that sent one to four messages each, and about a quarter of the mail is
 * Primary mail from people (close contacts who write often, and many who wrote once or twice).
 * Seeded and deterministic like the head-heavy shape, from the same senders' vocabulary.
 */
import type { GeneratedMailbox, MailboxSpec } from './mailbox-generator.js';
import { markConversations, markerLabels } from './mailbox-marks.js';
import {
  BRANDS,
  type Bulk,
  KIND_WEIGHTS,
  makeBulkSenders,
  makePeople,
  makeSpamSender,
  makeUserLabels,
  type Person,
  slugify,
} from './mailbox-senders.js';
import { assignIds, bulkThread, dateWithin, personThread, scale } from './mailbox-threads.js';
import { Writer } from './mailbox-writer.js';
import { Random, WeightedTable, zipfWeights } from './random.js';

const DAY = 86_400_000;
const YEAR = 365.25 * DAY;

/** How many messages a sender of the tail sends in all: mostly one or two, rarely more than 4. */
const TAIL_VOLUME: readonly (readonly [number, number])[] = [
  [1, 42],
  [2, 24],
  [3, 14],
  [4, 10],
  [5, 4],
  [6, 3],
  [8, 2],
  [12, 1],
];

interface TailSender {
  readonly bulk: Bulk;
  remaining: number;
}

/** A long-tail mailbox, the same for the same spec. Never contains TRASH. */
export function generateLongTailMailbox(spec: MailboxSpec): GeneratedMailbox {
  const { size, now } = spec;
  const rng = new Random(spec.seed);
  const span = (spec.years ?? 2) * YEAR;
  const { userLabels, labelIds } = makeUserLabels(rng, now);
  const w = new Writer(rng, spec.ownerEmail, now, labelIds);
  const taken = new Set([spec.ownerEmail.toLowerCase()]);
  const head = makeBulkSenders(rng, scale(size, 1.2, 0.3, 40), taken, span);
  const headTable = new WeightedTable(head, zipfWeights(head.length, 1.1));
  const close = makePeople(rng, scale(size, 0.6, 0.5, 120), taken);
  const closeTable = new WeightedTable(close, zipfWeights(close.length, 1));
  const spam = Array.from({ length: 6 }, () => makeSpamSender(rng));
  const open: TailSender[] = [];
  let tailCount = 0;
  const meanVolume = mean(TAIL_VOLUME);

  /** An open tail sender with mail left to send, or a new one (each about 1 in meanVolume). */
  const tailSender = (): Bulk => {
    if (open.length > 0 && !rng.chance(1 / meanVolume)) {
      const i = rng.int(0, open.length - 1);
      const sender = open[i]!;
      if (--sender.remaining <= 0) open.splice(i, 1, open.at(-1)!).pop();
      return sender.bulk;
    }
    const bulk = makeTailSender(rng, tailCount++, taken, span);
    const remaining = rng.weighted(TAIL_VOLUME) - 1;
    if (remaining > 0) open.push({ bulk, remaining });
    return bulk;
  };
  /** Someone who writes once or twice: a new person each time, sometimes written to again. */
  const acquaintances: Person[] = [];
  const acquaintance = (): Person => {
    if (acquaintances.length > 0 && rng.chance(0.3)) return rng.pick(acquaintances);
    const person = makePeople(rng, 1, taken)[0]!;
    acquaintances.push(person);
    return person;
  };
  const someone = () => closeTable.pick(rng);
  const threads: (readonly [() => void, number])[] = [
    [() => bulkThread(w, size, headTable.pick(rng)), 24],
    [() => bulkThread(w, size, tailSender()), 48],
    [() => personThread(w, size, someone(), span, false), 9],
    [() => personThread(w, size, acquaintance(), span, false), 7],
    [() => personThread(w, size, someone(), span, true), 3],
    [() => w.chat(someone(), dateWithin(rng, now, span)), 0.6],
    [() => w.spam(rng.pick(spam), now - rng.int(0, 30 * DAY)), 0.5],
    [() => w.fromOwner(someone(), dateWithin(rng, now, span), undefined, true), 0.2],
  ];
  while (w.drafts.length < size) rng.weighted(threads)();
  const messages = markConversations(assignIds(w.drafts, rng), spec.seed, userLabels, now);
  return { userLabels, markerLabels: markerLabels(), messages };
}

/** A shop, service or list of the tail; the number keeps addresses unique in any mailbox size. */
function makeTailSender(rng: Random, n: number, taken: Set<string>, span: number): Bulk {
  const kind = rng.weighted(KIND_WEIGHTS);
  const forum = kind.locals.length === 0;
  const name = `${rng.pick(BRANDS)} ${rng.pick(kind.suffixes)}`;
  let slug = slugify(name);
  if (taken.has(slug)) slug = `${slug}-${n.toString(36)}`;
  taken.add(slug);
  const address = forum ? `${slug}@lists.example.org` : `${rng.pick(kind.locals)}@${slug}.example`;
  const listId = kind.list ? `<${address.replace('@', '.')}>` : undefined;
  const sender = { name: forum ? slug : name, address, bulk: kind.list, listId };
  // Most of the tail is recent: sign-ups pile up, and old one-off mail was often deleted.
  return { sender, kind, maxAge: span * (0.05 + 0.95 * rng.next()) };
}

function mean(table: readonly (readonly [number, number])[]): number {
  const total = table.reduce((sum, [, weight]) => sum + weight, 0);
  return table.reduce((sum, [value, weight]) => sum + value * weight, 0) / total;
}
