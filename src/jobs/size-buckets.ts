import type { PackedPart } from '../domain/model.js';
import type { Mailbox } from '../domain/ports.js';
import { type Listed, listAll } from './discover-senders.js';

const KIB = 1024;
/**
 * Coarse size edges in bytes, each four times the last. Real mail is skewed (most messages
 * are a few KB, a few with attachments carry much of the bytes), so the edges are geometric:
 * the error a bucket allows is then a fixed share of the sizes in it, small or large.
 */
const COARSE_EDGES = [KIB, 4 * KIB, 16 * KIB, 64 * KIB, 256 * KIB, KIB * KIB, 4 * KIB * KIB];
const TOP_EDGE = 64 * KIB * KIB;
/** Each non-empty coarse bucket is listed again in this many parts of ratio 4^(1/8) ≈ 1.19. */
const SPLITS = 8;

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
 * about 9% above `from` for ranges of ratio 1.19. The open ranges at both ends hold next to
 * no mail (under 1 KB is a bare header; Gmail refuses messages past 50 MB).
 */
export function rangeEstimate({ from, to }: Range): number {
  if (to === undefined) return from;
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

/**
 * Each listed message's size to within one bucket of ratio about 1.19, from Gmail search
 * alone (5 units per 500 ids, no message read): the mailbox is listed once by coarse size
 * ranges, and each non-empty range is halved by listing its lower half (the upper half is what
 * that leaves) until the parts are fine; empty halves are not listed again. At most
 * 10 + 7 × (non-empty coarse ranges) listings plus a page per 500 ids per level. Returns
 * id -> estimated size in bytes. The sizes are estimates: a message's own size is within about
 * ±9% of its figure, and the errors of many messages mostly cancel.
 */
export async function listSizeBuckets(mailbox: Mailbox): Promise<Map<string, number>> {
  const sizes = new Map<string, number>();
  const place = async (members: readonly Listed[], fine: readonly Range[]): Promise<void> => {
    if (members.length === 0) return;
    if (fine.length === 1) {
      for (const m of members) sizes.set(m.id, rangeEstimate(fine[0]!));
      return;
    }
    const half = Math.ceil(fine.length / 2);
    const lower = { from: fine[0]!.from, to: fine[half - 1]!.to };
    const inLower = new Set((await listAll(mailbox, sizeQuery(lower))).map((m) => m.id));
    await place(
      members.filter((m) => inLower.has(m.id)),
      fine.slice(0, half),
    );
    await place(
      members.filter((m) => !inLower.has(m.id)),
      fine.slice(half),
    );
  };
  for (const coarse of coarseRanges()) {
    await place(await listAll(mailbox, sizeQuery(coarse)), fineRanges(coarse));
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
