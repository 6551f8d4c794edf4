import {
  CITIES,
  DAYS,
  FIRST_NAMES,
  ITEMS,
  MONTHS,
  PERSON_ATTACHMENTS,
  PERSON_GROUPS,
  PERSON_SNIPPETS,
  REPLY_SNIPPETS,
  SPAM_SNIPPET,
  SPAM_SUBJECTS,
  TOPICS,
} from './mailbox-personal-vocabulary.js';
import { type Bulk, PERSON_DOMAINS, type Person } from './mailbox-senders.js';
import type { LabelKey, MailStream } from './mailbox-vocabulary.js';
import type { Random } from './random.js';
import type { SimMessage, SimSender } from './sim-types.js';

const DAY = 86_400_000;
const KB = 1024;
const NONE: readonly string[] = Object.freeze([]);

/** A message before its id: ids follow dates, known only once every message is drawn. */
export interface Draft {
  readonly date: number;
  readonly parent: Draft | undefined;
  readonly root: Draft | undefined;
  readonly from: SimSender;
  readonly to: readonly string[];
  readonly subject: string;
  readonly snippet: string;
  readonly size: number;
  readonly attachments: readonly string[];
  readonly labels: string[];
  built?: SimMessage;
}

type Body = Pick<Draft, 'subject' | 'snippet' | 'size' | 'attachments'>;

interface Fill {
  readonly rng: Random;
  readonly date: number;
  readonly first: string;
  readonly brand: string;
}

const WORDS: Record<string, (fill: Fill) => string> = {
  first: (f) => f.first,
  brand: (f) => f.brand,
  friend: (f) => f.rng.pick(FIRST_NAMES),
  topic: (f) => f.rng.pick(TOPICS),
  city: (f) => f.rng.pick(CITIES),
  item: (f) => f.rng.pick(ITEMS),
  n: (f) => String(f.rng.int(2, 99)),
  q: (f) => String(f.rng.int(1, 4)),
  pct: (f) => String(f.rng.int(2, 14) * 5),
  nnnn: (f) => String(f.rng.int(1000, 9999)),
  order: (f) => String(f.rng.int(1_000_000, 9_999_999)),
  amount: (f) => (f.rng.int(300, 40_000) / 100).toFixed(2),
  code: (f) => f.rng.int(0x100000, 0xffffff).toString(36).toUpperCase(),
  // 1970-01-01 was a Thursday.
  day: (f) => DAYS[(Math.floor(f.date / DAY) + 4) % 7]!,
  month: (f) => MONTHS[new Date(f.date).getUTCMonth()]!,
  mm: (f) => String(new Date(f.date).getUTCMonth() + 1).padStart(2, '0'),
  yyyy: (f) => String(new Date(f.date).getUTCFullYear()),
};

/** Writes single messages with their labels; mailbox-generator composes them into threads. */
export class Writer {
  readonly drafts: Draft[] = [];
  readonly owner: SimSender;
  readonly toOwner: readonly string[];
  readonly #first: string;
  readonly #allLabelIds: readonly string[];
  readonly #strings = new Map<string, string>();

  constructor(
    readonly rng: Random,
    ownerEmail: string,
    readonly now: number,
    readonly labelIds: ReadonlyMap<LabelKey, string>,
  ) {
    const local = ownerEmail.split('@')[0]?.split(/[._+-]/)[0] || 'there';
    this.#first = local.charAt(0).toUpperCase() + local.slice(1);
    this.owner = { name: this.#first, address: ownerEmail, bulk: false };
    this.toOwner = [ownerEmail];
    this.#allLabelIds = [...labelIds.values()];
  }

  #fill(template: string, date: number, brand = '', first = this.#first): string {
    if (!template.includes('{')) return template;
    const fill: Fill = { rng: this.rng, date, first, brand };
    const text = template.replace(/\{(\w+)\}/g, (_, key: string) => WORDS[key]?.(fill) ?? key);
    return this.#intern(text);
  }

  /** Filled templates repeat a lot across 200,000 messages: keep one copy of each. */
  #intern(text: string): string {
    const known = this.#strings.get(text);
    if (known !== undefined) return known;
    this.#strings.set(text, text);
    return text;
  }

  #re(parent: Draft): string {
    return parent.subject.startsWith('Re: ')
      ? parent.subject
      : this.#intern(`Re: ${parent.subject}`);
  }

  fromBulk(b: Bulk, stream: MailStream, date: number, parent?: Draft): Draft {
    const { rng } = this;
    const labels: string[] = [stream.category];
    if (rng.chance(0.87)) labels.push('INBOX');
    if (rng.chance(stream.unread)) labels.push('UNREAD');
    this.#flag(labels, stream.important, stream.starred, stream.labels, stream.labelRate ?? 0);
    const brand = b.sender.name;
    const subject = parent ? this.#re(parent) : this.#fill(rng.pick(stream.subjects), date, brand);
    const snippet = this.#fill(rng.pick(stream.snippets), date, brand);
    const attached = stream.attachments && rng.chance(stream.attachmentRate ?? 0);
    const attachments = attached ? [this.#fill(rng.pick(stream.attachments), date)] : NONE;
    const body = this.#body(subject, snippet, stream.sizeKb, attachments);
    return this.#add(date, parent, b.sender, this.toOwner, labels, body);
  }

  fromPerson(p: Person, date: number, parent?: Draft): Draft {
    const { rng } = this;
    const labels = ['CATEGORY_PERSONAL'];
    if (rng.chance(0.85)) labels.push('INBOX');
    if (rng.chance(this.now - date < 14 * DAY ? 0.35 : 0.02)) labels.push('UNREAD');
    const group = PERSON_GROUPS[p.group];
    this.#flag(labels, 0.55, 0.06, group.labels, p.group === 'other' ? 0.12 : 0.3);
    const to = rng.chance(0.1) ? [this.owner.address, otherAddress(rng)] : this.toOwner;
    const subject = parent ? this.#re(parent) : this.#fill(rng.pick(group.subjects), date);
    const snippet = this.#fill(rng.pick(parent ? REPLY_SNIPPETS : PERSON_SNIPPETS), date);
    const body = this.#body(subject, snippet, 12, this.#personAttachments(date, 0.17));
    return this.#add(date, parent, p.sender, to, labels, body);
  }

  /** The owner's mail: SENT, or a DRAFT that was never sent. */
  fromOwner(to: Person | Bulk, date: number, parent?: Draft, draft = false): Draft {
    const { rng } = this;
    const person = 'group' in to ? to : undefined;
    const labels = [draft ? 'DRAFT' : 'SENT'];
    if (!draft) this.#flag(labels, 0.4, 0.02);
    // Answering a message reads it.
    if (parent && !draft && parent.labels.includes('UNREAD')) {
      parent.labels.splice(parent.labels.indexOf('UNREAD'), 1);
    }
    const first = person?.first ?? to.sender.name;
    const topics = person ? PERSON_GROUPS[person.group].subjects : ['Question about my order'];
    const subject = parent ? this.#re(parent) : this.#fill(rng.pick(topics), date, '', first);
    const snippets = parent ? REPLY_SNIPPETS : PERSON_SNIPPETS;
    const snippet = this.#fill(rng.pick(snippets), date, '', first);
    const body = this.#body(subject, snippet, 9, this.#personAttachments(date, 0.1));
    return this.#add(date, parent, this.owner, person?.to ?? [to.sender.address], labels, body);
  }

  chat(p: Person, date: number): Draft {
    const snippet = this.#fill(this.rng.pick(PERSON_SNIPPETS), date);
    const body = this.#body(`Chat with ${p.sender.name}`, snippet, 3);
    return this.#add(date, undefined, p.sender, this.toOwner, ['CHAT'], body);
  }

  spam(from: SimSender, date: number): Draft {
    const labels = this.rng.chance(0.85) ? ['SPAM', 'UNREAD'] : ['SPAM'];
    const subject = this.#fill(this.rng.pick(SPAM_SUBJECTS), date);
    const body = this.#body(subject, SPAM_SNIPPET, 15);
    return this.#add(date, undefined, from, this.toOwner, labels, body);
  }

  #add(
    date: number,
    parent: Draft | undefined,
    from: SimSender,
    to: readonly string[],
    labels: string[],
    body: Body,
  ): Draft {
    const root = parent ? (parent.root ?? parent) : undefined;
    const draft: Draft = { date, parent, root, from, to, labels, ...body };
    this.drafts.push(draft);
    return draft;
  }

  /** Lognormal body size plus attachments (200 KB to 15 MB in all). */
  #body(subject: string, snippet: string, medianKb: number, attachments = NONE): Body {
    const text = Math.max(1500, Math.round(this.rng.lognormal(medianKb * KB, 0.55)));
    let extra = 0;
    for (const name of attachments) extra += this.rng.lognormal(attachmentMedian(name), 0.8);
    extra = Math.min(Math.max(extra, attachments.length * 200 * KB), 15 * KB * KB);
    return { subject, snippet, size: text + Math.round(extra), attachments };
  }

  #flag(
    labels: string[],
    important: number,
    starred: number,
    keys: readonly LabelKey[] = [],
    rate = 0,
  ): void {
    const { rng } = this;
    if (rng.chance(important)) labels.push('IMPORTANT');
    if (rng.chance(starred)) labels.push('STARRED');
    const key = keys.length > 0 && rng.chance(rate) ? rng.pick(keys) : undefined;
    const any =
      this.#allLabelIds.length > 0 && rng.chance(0.02) ? rng.pick(this.#allLabelIds) : undefined;
    const id = key ? this.labelIds.get(key) : any;
    if (id) labels.push(id);
  }

  #personAttachments(date: number, rate: number): readonly string[] {
    if (!this.rng.chance(rate)) return NONE;
    const count = this.rng.chance(0.2) ? 2 : 1;
    return Array.from({ length: count }, () => this.#fill(this.rng.pick(PERSON_ATTACHMENTS), date));
  }
}

/** Someone else on copy, for the occasional group email. */
function otherAddress(rng: Random): string {
  return `${rng.pick(FIRST_NAMES).toLowerCase()}@${rng.pick(PERSON_DOMAINS)}`;
}

function attachmentMedian(name: string): number {
  if (/\.(jpg|heic)$/i.test(name)) return 2500 * KB;
  if (name.endsWith('.zip')) return 6000 * KB;
  return name.endsWith('.pdf') ? 450 * KB : 250 * KB;
}
