import type { PackedPart } from '../domain/model.js';
import type { Mailbox } from '../domain/ports.js';
import { type Listed, listAll } from './discover-senders.js';

const KIB = 1024;
/**
 * Coarse size edges in bytes, each four times the last. Real mail is skewed (most messages
 * are a few KB, a few with attachments carry much of the bytes), so the edges are geometric:
 * the error a bucket allows is then a fixed share of the sizes in it, small or large.
 */
const COARSE_EDGES = [
  256,
  KIB,
  4 * KIB,
  16 * KIB,
  64 * KIB,
  256 * KIB,
  KIB * KIB,
  4 * KIB * KIB,
  16 * KIB * KIB,
];
const TOP_EDGE = 64 * KIB * KIB;
/** Each non-empty coarse bucket is listed again in this many parts of ratio 4^(1/8) ≈ 1.19. */
const SPLITS = 8;
/**
 * Listings spent, after that, halving the buckets whose bytes are least certain. Where sizes
 * are spread, the errors of many messages cancel and these refine little that matters; where
 * many messages share one size (a sender's identical notifications), they pin it down.
 */
const EXTRA_SPLITS = 20;
/** Ids a listing page holds. */
const PAGE = 500;
/** Halving stops once the bytes could be off by no more than this share, whatever the sizes. */
const ENOUGH = 0.005;

/** A size range [from, to): `to` undefined means no upper bound. */
interface Range {
  readonly from: number;
  readonly to: number | undefined;
}

/**
 * The Gmail search for sizes in [from, to). Gmail's `larger:` and `smaller:` are strict and
 * take plain bytes, so `larger:from-1` is "at least from".
 */
export function sizeQuery({ from, to }: Range): string {
  const terms = [
    ...(from > 0 ? [`larger:${from - 1}`] : []),
    ...(to === undefined ? [] : [`smaller:${to}`]),
  ];
  return terms.join(' ');
}

/**
 * The size to count for a message known only to lie in [from, to): the mean of sizes spread
 * evenly on a log scale over the range (mail sizes are closer to that than to an even spread),
 * about 9% above `from` for ranges of ratio 1.19. The open range at the top holds next to no
 * mail (Gmail refuses messages past 50 MB).
 */
export function rangeEstimate({ from, to }: Range): number {
  if (to === undefined || to - from <= 1) return from;
  if (from === 0) return Math.round(to / 2);
  const ratio = to / from;
  return Math.round((from * (ratio - 1)) / Math.log(ratio));
}

const coarseRanges = (): Range[] => {
  const edges = [0, ...COARSE_EDGES, TOP_EDGE];
  return edges.map((from, i) => ({ from, to: edges[i + 1] }));
};

/** The finer parts of a coarse range; the first and the open ends are not split. */
const fineRanges = ({ from, to }: Range): Range[] => {
  if (from === 0 || to === undefined) return [{ from, to }];
  const ratio = (to / from) ** (1 / SPLITS);
  const edges = Array.from({ length: SPLITS }, (_, i) => Math.round(from * ratio ** i));
  return edges.map((edge, i) => ({ from: edge, to: edges[i + 1] ?? to }));
};

/** Where a range is halved: on a log scale, or evenly from 0; undefined when it is exact. */
function middle({ from, to }: Range): number | undefined {
  if (to === undefined || to - from <= 1) return undefined;
  const mid = from === 0 ? Math.floor(to / 2) : Math.round(Math.sqrt(from * to));
  return mid > from && mid < to ? mid : from + 1;
}

interface Bucket {
  readonly range: Range;
  readonly members: readonly Listed[];
  /**
   * Worth halving: its members may share one size (a spike among its neighbours), or a
   * listing of them is one page. Many spread sizes are not refined further: their errors
   * mostly cancel, and halving them costs a page per 500.
   */
  refinable?: boolean;
}

/** The most bytes a bucket's members could be off by: its width for each of them. */
function uncertainty({ range, members }: Bucket): number {
  return range.to === undefined ? 0 : members.length * (range.to - range.from);
}

/** Marks the buckets one page lists, and those holding twice the mail of each adjacent range. */
function markRefinable(buckets: readonly Bucket[]): void {
  const count = (b: Bucket | undefined, edge: number | undefined, side: 'from' | 'to') =>
    b && b.range[side] === edge ? b.members.length : 0;
  buckets.forEach((b, i) => {
    const below = count(buckets[i - 1], b.range.from, 'to');
    const above = count(buckets[i + 1], b.range.to, 'from');
    b.refinable = b.members.length <= PAGE || b.members.length >= 2 * Math.max(below, above);
  });
}

/**
 * Halves the refinable buckets, the least certain first, up to EXTRA_SPLITS listings or until
 * the bytes of the whole are certain to within ENOUGH. A bucket of more than a page whose
 * halves both hold a tenth of it or more was spread after all: it is left as it is.
 */
async function refineBuckets(mailbox: Mailbox, buckets: Bucket[]): Promise<void> {
  for (let listings = 0; listings < EXTRA_SPLITS; listings++) {
    const total = buckets.reduce((n, b) => n + b.members.length * rangeEstimate(b.range), 0);
    const doubt = buckets.reduce((n, b) => n + uncertainty(b), 0);
    if (doubt <= ENOUGH * total) return;
    let widest: number | undefined;
    buckets.forEach((b, i) => {
      if (!b.refinable || middle(b.range) === undefined) return;
      if (widest === undefined || uncertainty(b) > uncertainty(buckets[widest]!)) widest = i;
    });
    if (widest === undefined) return;
    const bucket = buckets[widest]!;
    const halves: Bucket[] = await halve(mailbox, bucket, middle(bucket.range)!);
    const smaller = Math.min(...halves.map((h) => h.members.length));
    const spread = smaller >= bucket.members.length / 10;
    for (const h of halves) h.refinable = h.members.length <= PAGE || !spread;
    buckets.splice(widest, 1, ...halves.filter((b) => b.members.length > 0));
  }
}

/** The members in the lower and the upper part of a range split at `mid`, one listing. */
async function halve(mailbox: Mailbox, { range, members }: Bucket, mid: number) {
  const lower = { from: range.from, to: mid };
  const inLower = new Set((await listAll(mailbox, sizeQuery(lower))).map((m) => m.id));
  return [
    { range: lower, members: members.filter((m) => inLower.has(m.id)) },
    { range: { from: mid, to: range.to }, members: members.filter((m) => !inLower.has(m.id)) },
  ];
}

/**
 * Each listed message's size from Gmail search alone (5 units per 500 ids, no message read).
 * The mailbox is listed once by coarse size ranges, and each non-empty range is halved by
 * listing its lower half (the upper half is what that leaves) until its parts have a ratio of
 * about 1.19; empty halves are not listed again: every message is then within about ±9% of
 * its figure, and the errors of spread sizes mostly cancel. Mail that shares one size (a
 * sender's identical notifications, made-up sizes, one huge attachment) shows as a spike
 * among its neighbours, and the spikes are halved further, the least certain bytes first
 * (see refineBuckets, which also halves buckets that one page lists). Returns id -> estimated
 * size in bytes.
 */
export async function listSizeBuckets(mailbox: Mailbox): Promise<Map<string, number>> {
  const buckets: Bucket[] = [];
  const place = async (members: readonly Listed[], fine: readonly Range[]): Promise<void> => {
    if (members.length === 0) return;
    if (fine.length === 1) {
      buckets.push({ range: fine[0]!, members });
      return;
    }
    const half = Math.ceil(fine.length / 2);
    const range = { from: fine[0]!.from, to: fine.at(-1)!.to };
    const [lower, upper] = await halve(mailbox, { range, members }, fine[half]!.from);
    await place(lower!.members, fine.slice(0, half));
    await place(upper!.members, fine.slice(half));
  };
  for (const coarse of coarseRanges()) {
    await place(await listAll(mailbox, sizeQuery(coarse)), fineRanges(coarse));
  }
  markRefinable(buckets);
  await refineBuckets(mailbox, buckets);
  const sizes = new Map<string, number>();
  for (const { range, members } of buckets) {
    const estimate = rangeEstimate(range);
    for (const m of members) sizes.set(m.id, estimate);
  }
  return sizes;
}

type PartPlan = PackedPart['plan'];

/**
 * The part plan with each id's bucketed size attached, for the plans whose messages are
 * decided without being read (`facts`, `sender`, `known`); 0 for an id listed after the sizes.
 */
export function withSizes(
  plan: (chunk: readonly Listed[]) => PartPlan,
  sizes: ReadonlyMap<string, number>,
): (chunk: readonly Listed[]) => PartPlan {
  return (chunk) => {
    const p = plan(chunk);
    if (p.kind !== 'facts' && p.kind !== 'sender' && p.kind !== 'known') return p;
    return { ...p, sizes: chunk.map((m) => sizes.get(m.id) ?? 0) };
  };
}
