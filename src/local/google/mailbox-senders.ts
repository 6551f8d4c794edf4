/**
 * The cast of a generated mailbox: automated senders ranked for a Zipf curve, people with a
 * long tail, spam senders and the owner's user labels. Only example domains are used.
 */
import { FIRST_NAMES, type PersonGroup, TOPICS } from './mailbox-personal-vocabulary.js';
import { type LabelKey, list, type SenderKind, STREAMS } from './mailbox-vocabulary.js';
import type { Random } from './random.js';
import type { SimLabel, SimSender } from './sim-types.js';

/** An automated sender: a shop, a newsletter, a bank... */
export interface Bulk {
  readonly sender: SimSender;
  readonly kind: SenderKind;
  /** Senders the owner subscribed to later only appear in recent mail. */
  readonly maxAge: number;
}

/** A correspondent, by how they know the owner. */
export interface Person {
  readonly sender: SimSender;
  readonly group: PersonGroup;
  readonly first: string;
  readonly to: readonly string[];
}

// kind | how many senders | how much each sends | list mail? | name suffixes | local parts
// (a mailing list has no local parts: it is addressed by its name)
const KINDS = `
  shop         | 24 | 6   | list | Outfitters Home Market Books Gear Kitchen Toys | deals news hello
  newsletter   | 16 | 4   | list | Weekly Daily Digest Journal Insider Review | newsletter digest
  social       | 10 | 8   | list | Connect Circle Snap Friends Pics Chirp | notifications updates
  notification | 14 | 5   | list | Cloud Tasks Drive Calendar Fitness Photos Docs | noreply notify
  forum        |  8 | 1   | list | users discuss announce neighbors parents |
  bank         |  4 | 1   | list | Bank Savings Trust | alerts service mail
  airline      |  3 | 1   | list | Air Airways Airlines | info travel noreply
  utility      |  4 | 1   | list | Mobile Telecom Energy Water | billing info customer
  marketplace  |  4 | 5   | list | Mart Bazaar Depot | store shop
  receipts     |  6 | 1.5 | none | Eats Rides Tickets Pharmacy Pay | receipts orders noreply
  security     |  3 | 0.2 | none | Accounts ID Login | security account`;

const words = (cell = '') => cell.split(' ').filter((word) => word !== '');

export const SENDER_KINDS: readonly SenderKind[] = KINDS.trim()
  .split('\n')
  .map((line) => {
    const [kind = '', weight, volume, mail, suffixes, locals] = line
      .split('|')
      .map((cell) => cell.trim());
    return {
      kind,
      weight: Number(weight),
      volume: Number(volume),
      list: mail === 'list',
      suffixes: words(suffixes),
      locals: words(locals),
      streams: STREAMS[kind] ?? [],
    };
  });

export const KIND_WEIGHTS = SENDER_KINDS.map((kind) => [kind, kind.weight] as const);

export const BRANDS = list(`
  Northwind|Contoso|Fabrikam|Tailspin|Wingtip|Litware|Adatum|Proseware|Lucerne|Alpine|Blue Yonder|
  Coho|Woodgrove|Wide World|Relecloud|Pinecrest|Bluebird|Lumen|Quillon|Zephyr|Marlow|Copperleaf|
  Harbor|Maple|Redwood|Silverline|Starling|Tidewater|Vantage|Willow|Brightside|Cobalt|Driftwood|
  Evergreen|Foxglove|Granite|Hollow Oak|Ironbark|Juniper|Kestrel|Larkspur|Meridian|Nimbus|Orchard|
  Parkway|Quarry|Riverbend|Sundial|Thistle|Upland`);
const LAST_NAMES = list(`
  Morgan|Patel|Garcia|Kim|Nguyen|Okafor|Silva|Muller|Rossi|Cohen|Haddad|Larsen|Tanaka|Novak|Brown|
  Dubois|Ahmed|Kowalski|Lopez|Singh|Walsh|Berg|Costa|Fischer|Ivanova|Mensah|Reyes|Sato|Wright|
  Yilmaz|Andersen|Baker|Clarke|Duarte|Evans|Ferreira|Grant|Hughes|Jensen|Keller`);

const SPAM_NAMES = list(
  'Rewards Center|Account Security|Prize Department|Customer Care|Dr. Wellness',
);
export const PERSON_DOMAINS = ['example.com', 'example.net', 'example.org'];
/** The user labels a mailbox can have; the first five are always created. */
const USER_LABELS: readonly (readonly [LabelKey | undefined, string])[] = [
  ['receipts', 'Receipts'],
  ['travel', 'Travel'],
  ['family', 'Family'],
  ['kids', 'Family/Kids'],
  ['taxes', 'Taxes {yyyy}'],
  ['work', 'Work'],
  ['reading', 'To read'],
  [undefined, 'House'],
  [undefined, 'Medical'],
  [undefined, 'Car'],
];

export function makeUserLabels(rng: Random, now: number) {
  const optional = rng.shuffle(USER_LABELS.slice(5)).slice(0, rng.int(0, 5));
  const chosen = [...USER_LABELS.slice(0, 5), ...optional];
  const year = String(new Date(now).getUTCFullYear() - 1);
  const userLabels = chosen.map(
    ([, name], i): SimLabel => ({
      id: `Label_${i + 1}`,
      name: name.replace('{yyyy}', year),
      type: 'user',
    }),
  );
  const labelIds = new Map<LabelKey, string>();
  chosen.forEach(([key], i) => {
    if (key) labelIds.set(key, `Label_${i + 1}`);
  });
  return { userLabels, labelIds };
}

export function makeBulkSenders(
  rng: Random,
  count: number,
  taken: Set<string>,
  span: number,
): Bulk[] {
  // Every mailbox has a mixed sender: promotions and statements from one address.
  const mixed = SENDER_KINDS.filter((kind) => kind.streams.length > 1);
  const senders = Array.from({ length: count }, (_, i) =>
    makeBulkSender(rng, i === 0 ? rng.pick(mixed) : rng.weighted(KIND_WEIGHTS), taken, span),
  );
  // Social networks and shops tend to take the head of the Zipf curve, security alerts the tail.
  const keyed = senders.map((b) => [rng.next() ** (1 / b.kind.volume), b] as const);
  return keyed.sort((x, y) => y[0] - x[0]).map(([, b]) => b);
}

export function makeBulkSender(
  rng: Random,
  kind: SenderKind,
  taken: Set<string>,
  span: number,
): Bulk {
  for (let attempt = 0; ; attempt++) {
    const forum = kind.locals.length === 0;
    const name = `${rng.pick(forum ? TOPICS : BRANDS)} ${rng.pick(kind.suffixes)}`;
    const slug = slugify(name) + (attempt > 30 ? `-${attempt}` : '');
    if (taken.has(slug)) continue;
    taken.add(slug);
    const address = forum
      ? `${slug}@lists.example.org`
      : `${rng.pick(kind.locals)}@${slug}.example`;
    const listId = kind.list ? `<${address.replace('@', '.')}>` : undefined;
    const sender = { name: forum ? slug : name, address, bulk: kind.list, listId };
    // Most senders span the whole mailbox; some were subscribed to more recently.
    return { sender, kind, maxAge: rng.chance(0.6) ? span : span * (0.1 + 0.9 * rng.next()) };
  }
}

export function makePeople(rng: Random, count: number, taken: Set<string>): Person[] {
  const familyName = rng.pick(LAST_NAMES);
  const familySize = Math.min(6, Math.floor(count / 15));
  const groups = [
    ['work', 3],
    ['friend', 4],
    ['other', 3],
  ] as const;
  const people: Person[] = [];
  while (people.length < count) {
    const group: PersonGroup = people.length < familySize ? 'family' : rng.weighted(groups);
    const first = rng.pick(FIRST_NAMES);
    const last = group === 'family' ? familyName : rng.pick(LAST_NAMES);
    const address = personAddress(rng, first, last, group === 'work');
    if (taken.has(address)) continue;
    taken.add(address);
    const sender = { name: `${first} ${last}`, address, bulk: false };
    people.push({ sender, group, first, to: [address] });
  }
  // Family and a few friends and colleagues write most; everyone else now and then.
  const close = rng.shuffle(people.slice(0, 12));
  people.splice(0, close.length, ...close);
  return people;
}

function personAddress(rng: Random, first: string, last: string, work: boolean): string {
  const f = first.toLowerCase();
  const l = last.toLowerCase();
  if (work) return `${f}.${l}@corp.example`;
  const local = rng.weighted([
    [`${f}.${l}`, 4],
    [`${f}${l}`, 2],
    [`${f[0]}${l}`, 2],
    [`${f}_${l}${rng.int(1, 99)}`, 1],
    [`${f}${rng.int(70, 99)}`, 1],
  ]);
  return `${local}@${rng.pick(PERSON_DOMAINS)}`;
}

export function makeSpamSender(rng: Random): SimSender {
  const local = `${rng.pick(['promo', 'winner', 'alert', 'support'])}${rng.int(10, 999)}`;
  const domain = `${slugify(rng.pick(BRANDS))}-offers${rng.int(1, 99)}.example.net`;
  return { name: rng.pick(SPAM_NAMES), address: `${local}@${domain}`, bulk: false };
}

export function slugify(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]+/g, '-');
}
