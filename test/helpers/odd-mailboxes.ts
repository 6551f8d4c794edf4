import type { GeneratedMailbox } from '../../src/local/google/mailbox-generator.js';
import { messageId } from '../../src/local/google/mailbox-threads.js';
import { Random } from '../../src/local/google/random.js';
import type {
  SimLabel,
  SimMessage,
  SimSender,
  WireHeaders,
} from '../../src/local/google/sim-types.js';

/**
 * Mailboxes our generator would not have written, built message by message: odd From headers
 * (RFC 2047 names, quoted commas, group syntax, none at all), List-Unsubscribe variants, one
 * sender under several addresses, names and categories, archived bulk mail, mail already in
 * Spam or Trash, conversations marked on one old or middle message that keep receiving
 * unmarked mail, and sizes from a few hundred bytes to tens of megabytes. Seeded: the same
 * seed and `now` give the same mailbox.
 */

const DAY = 86_400_000;
const MIB = 1024 * 1024;

/** The user labels of an odd mailbox: nested names, as Gmail shows them with a slash. */
export const ODD_LABELS: readonly SimLabel[] = [
  { id: 'Label_7', name: 'Receipts', type: 'user' },
  { id: 'Label_8', name: 'Receipts/2024', type: 'user' },
  { id: 'Label_31', name: 'Travel/Plans & Ideas', type: 'user' },
];

interface Mail {
  readonly from: SimSender;
  readonly daysAgo: number;
  readonly labels: readonly string[];
  readonly size?: number;
  readonly subject?: string;
  readonly wire?: WireHeaders;
  readonly snoozed?: boolean;
  /** Arrived exactly this long ago, instead of `daysAgo` give or take an hour. */
  readonly ageMs?: number;
}

const sender = (name: string, address: string, bulk = true, listId?: string): SimSender => ({
  name,
  address,
  bulk,
  listId,
});

class OddWriter {
  readonly messages: SimMessage[] = [];
  private low = 0;

  constructor(
    readonly rng: Random,
    readonly owner: string,
    readonly now: number,
  ) {}

  /** One message; `thread` continues a conversation (its first message's id). */
  add(mail: Mail, thread?: SimMessage): SimMessage {
    const date =
      mail.ageMs !== undefined
        ? this.now - mail.ageMs
        : this.now - Math.round(mail.daysAgo * DAY) - this.rng.int(0, 3_600_000);
    const id = messageId(date, this.low++);
    const size = mail.size ?? Math.round(this.rng.lognormal(14_000, 0.6));
    const subject = mail.subject ?? (thread ? `Re: ${thread.subject}` : `Note ${this.low}`);
    const message: SimMessage = {
      id,
      threadId: thread?.threadId ?? id,
      internalDate: date,
      labelIds: [...mail.labels],
      from: mail.from,
      to: [this.owner],
      subject,
      snippet: `${subject.slice(0, 40)} and more`,
      sizeEstimate: size,
      attachments: [],
      messageIdHeader: `<${id}@odd.example>`,
      inReplyTo: thread?.messageIdHeader,
      historyId: 1,
      ...(mail.wire ? { wireHeaders: mail.wire } : {}),
      ...(mail.snoozed ? { snoozed: true } : {}),
    };
    this.messages.push(message);
    return message;
  }

  /** `count` messages of one sender, old enough for the rules, some archived. */
  several(count: number, mail: Omit<Mail, 'daysAgo'>, from = 40, to = 700): SimMessage[] {
    return Array.from({ length: count }, () => {
      const labels = [...mail.labels, ...(this.rng.chance(0.7) ? ['INBOX'] : [])];
      return this.add({ ...mail, labels, daysAgo: this.rng.int(from, to) });
    });
  }

  /** A conversation of `count` messages from one sender, oldest first, `marks[i]` on message i. */
  conversation(count: number, mail: Omit<Mail, 'daysAgo'>, marks: Record<number, string[]>) {
    const ages = Array.from({ length: count }, () => this.rng.int(35, 500)).sort((a, b) => b - a);
    let first: SimMessage | undefined;
    return ages.map((daysAgo, i) => {
      const labels = [...mail.labels, ...(marks[i] ?? [])];
      const m = this.add(
        { ...mail, labels, daysAgo, subject: mail.subject ?? 'Your order' },
        first,
      );
      first ??= m;
      return m;
    });
  }
}

const PROMO = 'CATEGORY_PROMOTIONS';
const SOCIAL = 'CATEGORY_SOCIAL';

/**
 * About 250 messages in which every oddity above occurs at least once, with the marks Gmail
 * gives single messages of conversations people marked.
 */
export function oddMailbox(owner: string, seed: number, now: number): GeneratedMailbox {
  const w = new OddWriter(new Random(seed), owner, now);
  const cafe = sender('Café Crème', 'deals@cafe-creme.example');
  w.several(25, {
    from: cafe,
    labels: [PROMO],
    wire: { from: '=?UTF-8?B?Q2Fmw6kgQ3LDqG1l?= <deals@cafe-creme.example>' },
  });
  const commas = sender('Shop, The Best', 'news@shop.example');
  w.several(20, {
    from: commas,
    labels: [PROMO],
    wire: { listUnsubscribe: '<mailto:leave@shop.example>', listUnsubscribePost: null },
  });
  const upper = sender('MEGA STORE', 'NEWS@MegaStore.EXAMPLE');
  w.several(15, { from: upper, labels: [PROMO], wire: { listUnsubscribePost: null } });
  for (const tag of ['weekly', 'daily']) {
    w.several(10, { from: sender('Letters', `news+${tag}@letters.example`), labels: [SOCIAL] });
  }
  for (const name of ['Brand', 'Brand Team', 'Brand "Deals" Desk']) {
    w.several(6, { from: sender(name, 'hello@brand.example'), labels: [PROMO] });
  }
  w.several(12, {
    from: sender('Bank Alerts', 'alerts@bank.example'),
    labels: ['CATEGORY_UPDATES'],
    wire: { listUnsubscribe: '<https://bank.example/u?x=1>', listUnsubscribePost: null },
  });
  w.several(10, {
    from: sender('No Link Deals', 'promo@nolink.example'),
    labels: [PROMO],
    wire: { listUnsubscribe: null, listUnsubscribePost: null },
  });
  w.several(10, {
    from: sender('Neighbours', 'list@groups.example', true, '<neighbours.groups.example>'),
    labels: ['CATEGORY_FORUMS'],
  });
  const multi = sender('Multi', 'info@multi.example');
  for (const category of [PROMO, SOCIAL, 'CATEGORY_UPDATES', 'CATEGORY_PERSONAL']) {
    w.several(5, { from: multi, labels: [category] });
  }
  w.several(8, { from: sender('Luxury', 'vip@luxury.example'), labels: [PROMO, 'IMPORTANT'] });
  // Headers a sender may leave out or write in group syntax.
  const nobody = sender('', '');
  w.several(4, { from: nobody, labels: [PROMO], wire: { from: null, subject: null } });
  w.several(4, {
    from: sender('undisclosed-recipients', ''),
    labels: [PROMO],
    wire: { from: 'undisclosed-recipients:;' },
  });
  // Sizes far from the usual few kilobytes.
  const tiny = sender('Tiny', 'ping@tiny.example');
  for (const size of [120, 300, 480, 640, 700, 900, 950, 1000]) {
    w.add({ from: tiny, labels: [PROMO, 'INBOX'], daysAgo: 60 + size / 10, size });
  }
  const huge = sender('Huge Photos', 'photos@huge.example');
  for (let i = 0; i < 8; i++) {
    w.add({ from: huge, labels: [SOCIAL], daysAgo: 90 + i, size: 17 * MIB + i * 3 * MIB });
  }
  // Mail the scan must leave alone: already in Spam or Trash.
  w.several(5, { from: sender('Spammy', 'win@spam.example'), labels: ['SPAM'] });
  w.several(5, { from: cafe, labels: [PROMO, 'TRASH'] });

  markedConversations(w, cafe, commas);
  people(w);
  return {
    userLabels: [...ODD_LABELS],
    // Gmail's newer marks are system labels; RED_BANG, used below, is left out of labels.list.
    markerLabels: [{ id: 'GREEN_CIRCLE', name: 'GREEN_CIRCLE', type: 'system' }],
    messages: newestFirst(w.messages),
  };
}

/** Conversations marked on one message only, that go on receiving unmarked mail. */
function markedConversations(w: OddWriter, cafe: SimSender, commas: SimSender): void {
  // A nested label on a middle message only.
  w.conversation(5, { from: cafe, labels: [PROMO, 'INBOX'] }, { 2: ['Label_8'] });
  // The oldest message starred, before the sender kept writing.
  w.conversation(4, { from: commas, labels: [PROMO] }, { 0: ['STARRED'] });
  // A marker without STARRED, on the newest.
  w.conversation(3, { from: cafe, labels: [PROMO] }, { 2: ['RED_BANG'] });
  // A mark labels.list reports as a system label the service does not know, on a middle message.
  w.conversation(3, { from: commas, labels: [PROMO] }, { 1: ['GREEN_CIRCLE'] });
  // A label whose name holds spaces and an ampersand.
  w.conversation(3, { from: cafe, labels: [SOCIAL] }, { 1: ['Label_31'] });
  // Snoozed: no label at all, only `in:snoozed` says so.
  const snoozed = w.conversation(3, { from: commas, labels: [PROMO] }, {});
  for (const m of snoozed) (m as { snoozed?: boolean }).snoozed = true;
  // The owner's reply to a promotion, and a draft of one.
  const replied = w.conversation(3, { from: cafe, labels: [PROMO] }, {});
  w.add({ from: sender('Me', w.owner, false), labels: ['SENT'], daysAgo: 36 }, replied[0]);
  // A reply the owner sent, then deleted: the conversation was answered all the same.
  const regretted = w.conversation(2, { from: commas, labels: [PROMO] }, {});
  w.add(
    { from: sender('Me', w.owner, false), labels: ['SENT', 'TRASH'], daysAgo: 37 },
    regretted[0],
  );
  const drafted = w.conversation(2, { from: commas, labels: [PROMO] }, {});
  w.add({ from: sender('Me', w.owner, false), labels: ['DRAFT'], daysAgo: 35 }, drafted[0]);
}

/** People, one of whom the owner answers. */
function people(w: OddWriter): void {
  const alice = sender('Alice Example', 'alice@friends.example', false);
  const thread = w.conversation(3, { from: alice, labels: ['CATEGORY_PERSONAL', 'INBOX'] }, {});
  w.add({ from: sender('Me', w.owner, false), labels: ['SENT'], daysAgo: 34 }, thread[0]);
  w.several(4, {
    from: sender('Bob', 'BOB@Friends.Example', false),
    labels: ['CATEGORY_PERSONAL'],
  });
}

function newestFirst(messages: SimMessage[]): SimMessage[] {
  return [...messages].sort((a, b) =>
    a.internalDate !== b.internalDate ? b.internalDate - a.internalDate : a.id < b.id ? 1 : -1,
  );
}

/** No mail at all. */
export function emptyMailbox(): GeneratedMailbox {
  return { userLabels: [], markerLabels: [], messages: [] };
}

/** One old promotion, nothing else. */
export function oneMessageMailbox(owner: string, now: number): GeneratedMailbox {
  const w = new OddWriter(new Random(1), owner, now);
  w.add({ from: sender('Solo', 'solo@one.example'), labels: [PROMO, 'INBOX'], daysAgo: 90 });
  return { userLabels: [], markerLabels: [], messages: w.messages };
}

/**
 * Old promotions, and mail Google received a second before `now`: what a scan started at once
 * must still cover, whatever the service's own clock says.
 */
export function freshMailMailbox(owner: string, seed: number, now: number): GeneratedMailbox {
  const w = new OddWriter(new Random(seed), owner, now);
  w.several(20, { from: sender('Old Deals', 'deals@old.example'), labels: [PROMO] });
  const fresh = sender('Fresh Deals', 'deals@fresh.example');
  for (let i = 0; i < 3; i++) {
    w.add({ from: fresh, labels: [PROMO, 'INBOX', 'UNREAD'], daysAgo: 0, ageMs: 1_000 + i });
  }
  return { userLabels: [], markerLabels: [], messages: newestFirst(w.messages) };
}

/** Senders a review may keep whose addresses search operators handle badly, and one it trashes. */
export const KEEPABLE = [
  "o'brien@shop.example",
  'josé@café.example',
  'NEWS@MegaStore.EXAMPLE',
  'news+weekly@letters.example',
] as const;

/** Old promotions from the KEEPABLE senders and from one disposable sender. */
export function keepListMailbox(owner: string, seed: number, now: number): GeneratedMailbox {
  const w = new OddWriter(new Random(seed), owner, now);
  for (const address of [...KEEPABLE, 'deals@other.example']) {
    w.several(6, { from: sender(address.split('@')[0]!, address), labels: [PROMO] });
  }
  return { userLabels: [], markerLabels: [], messages: newestFirst(w.messages) };
}
