import type { MessageMeta } from '../domain/message.js';
import type { PackedPart } from '../domain/model.js';
import type { Mailbox } from '../domain/ports.js';
import type { Partition } from '../domain/scan-partitions.js';
import { isBulk } from '../domain/sender-groups.js';
import type { Correspondence } from './correspondents.js';

/** A listed message: Gmail's list answers ids and thread ids only. */
export type Listed = { readonly id: string; readonly threadId: string };

type Save = (
  ids: readonly Listed[],
  plan: (chunk: readonly Listed[]) => PackedPart['plan'],
) => Promise<boolean>;

const ADDRESS = /^[^\s"(){}]+@[^\s"(){}]+$/;
/** Listings narrowed after a member turned out to be someone else's, before giving up. */
const MAX_NARROWINGS = 3;

export interface DiscoverOptions {
  /** A classifier that reads text gives no decision to a sender that is not bulk. */
  readonly readsText: boolean;
  /**
   * Chooses the member re-read at random: the same one for the same mailbox state (a retried
   * plan, a copy of the mailbox), another one once the mailbox has changed.
   */
  readonly seed: string;
  /** A person's mail, and whether the owner replied to them (see correspondents.ts). */
  readonly correspondence?: Correspondence | undefined;
}

/**
 * In a part where the sender matters: one message is read, its sender's mail in the part is
 * listed with `from:`, and a member chosen at random is read to check the listing. `from:`
 * matches display names too ("'a@b.example' via List"), so a member whose own From differs
 * leaves the group: the listing is narrowed with `-from:` its address, and its mail is decided
 * on its own. A sender's mail becomes one batch; what cannot be attributed is read.
 */
export async function discoverSenders(
  mailbox: Mailbox,
  partition: Partition,
  members: readonly Listed[],
  save: Save,
  options: DiscoverOptions,
): Promise<boolean> {
  const uncovered = new Map(members.map((m) => [m.id, m]));
  const unattributed: Listed[] = [];
  // People met in a row are saved together, once one Store read has said which of them the
  // owner replied to; before any other save, so batches keep the order people were met in.
  let people: { group: Listed[]; sample: MessageMeta }[] = [];
  const savePeople = async (): Promise<boolean> => {
    const met = people;
    people = [];
    if (met.length === 0 || !options.correspondence) return true;
    const replied = await options.correspondence.repliedTo(met.map((p) => p.sample.fromAddress));
    for (const { group, sample } of met) {
      const own = await save(group, (chunk) => ({
        kind: 'sender',
        facts: partition.facts,
        threadIds: chunk.map((m) => m.threadId),
        sender: sample.fromAddress,
        samples: [sample],
        ...(replied.has(sample.fromAddress) ? { correspondent: true } : {}),
      }));
      if (!own) return false;
    }
    return true;
  };
  while (uncovered.size > 0) {
    const first = uncovered.values().next().value!;
    uncovered.delete(first.id);
    const sample = (await mailbox.getMetadata([first.id])).get(first.id);
    if (!sample?.fromAddress || !ADDRESS.test(sample.fromAddress)) {
      unattributed.push(first);
      continue;
    }
    // A person: their mail in the part follows the sample when the owner replied to them (a
    // kept sample keeps it unread), else it is read and judged; the sample is not read again.
    if (options.readsText && !isBulk(sample) && options.correspondence) {
      const mail = await options.correspondence.mailOf(sample.fromAddress);
      const group = [first, ...[...uncovered.values()].filter((m) => mail.ids.has(m.id))];
      for (const m of group) uncovered.delete(m.id);
      people.push({ group, sample });
      continue;
    }
    // Its mail will be read one by one anyway: in full batches, the LLM judges 50 per call.
    if (options.readsText && !isBulk(sample)) {
      const group = await groupOf(mailbox, partition, first, sample.fromAddress, [], uncovered);
      for (const m of group) uncovered.delete(m.id);
      unattributed.push(...group);
      continue;
    }
    const found = await verifiedGroup(mailbox, partition, first, sample, uncovered, options);
    for (const m of found.group) uncovered.delete(m.id);
    if (!found.samples) {
      unattributed.push(...found.group);
      continue;
    }
    const samples = found.samples;
    if (!(await savePeople())) return false;
    const own = await save(found.group, (chunk) => ({
      kind: 'sender',
      facts: partition.facts,
      threadIds: chunk.map((m) => m.threadId),
      sender: sample.fromAddress,
      samples,
    }));
    if (!own) return false;
  }
  if (!(await savePeople())) return false;
  return save(unattributed, () => ({ kind: 'read' }));
}

/**
 * The sender's group in the part, with its samples once a member read at random agrees with
 * the first; `samples` undefined when the listing could not be trusted (the group is read).
 */
async function verifiedGroup(
  mailbox: Mailbox,
  partition: Partition,
  first: Listed,
  sample: MessageMeta,
  uncovered: ReadonlyMap<string, Listed>,
  { seed }: DiscoverOptions,
): Promise<{ group: Listed[]; samples: MessageMeta[] | undefined }> {
  const sender = sample.fromAddress;
  const others: string[] = [];
  let group: Listed[] = [first];
  for (let narrowing = 0; narrowing <= MAX_NARROWINGS; narrowing++) {
    group = await groupOf(mailbox, partition, first, sender, others, uncovered);
    if (group.length === 1) return { group, samples: [sample] };
    const picked = group[1 + pick(`${seed} ${sender} ${narrowing}`, group.length - 1)]!;
    const second = (await mailbox.getMetadata([picked.id])).get(picked.id);
    if (second?.fromAddress === sender) return { group, samples: [sample, second] };
    // Gone, or someone whose address cannot be searched for: the listing cannot be narrowed.
    if (!second?.fromAddress || !ADDRESS.test(second.fromAddress)) break;
    others.push(second.fromAddress);
  }
  return { group, samples: undefined };
}

async function groupOf(
  mailbox: Mailbox,
  partition: Partition,
  first: Listed,
  sender: string,
  others: readonly string[],
  uncovered: ReadonlyMap<string, Listed>,
): Promise<Listed[]> {
  const query = [partition.query, `from:${sender}`, ...others.map((o) => `-from:${o}`)].join(' ');
  const listed = await listAll(mailbox, query);
  return [first, ...listed.filter((m) => m.id !== first.id && uncovered.has(m.id))];
}

/** A stable pseudo-random index below `n` from a string (FNV-1a). */
function pick(key: string, n: number): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    hash ^= key.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) % n;
}

export async function listAll(mailbox: Mailbox, q: string): Promise<Listed[]> {
  const all: Listed[] = [];
  let pageToken: string | undefined;
  do {
    const page = await mailbox.listIds({ q, pageToken });
    all.push(...page.ids);
    pageToken = page.nextPageToken;
  } while (pageToken);
  return all;
}
