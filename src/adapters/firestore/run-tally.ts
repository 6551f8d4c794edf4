import { FieldValue } from '@google-cloud/firestore';
import type { LlmUsage, Run, RunCounters } from '../../domain/model.js';
import { ZERO_COUNTERS, ZERO_USAGE } from '../../domain/model.js';
import { addCounters, addUsage } from '../../domain/run-progress.js';

/**
 * The part of a run that batches add to: batches done, counters, LLM usage. A run's tally is
 * its document's base plus its counter shards (`runs/{runId}/shards/{n}`), each shard taking
 * the batches whose number is n modulo the shard count, so neighbouring batches, which tend
 * to finish together, land on different documents.
 */
export interface Tally {
  readonly batchesDone: number;
  readonly counters: RunCounters;
  readonly llm: LlmUsage;
}

export const ZERO_TALLY: Tally = { batchesDone: 0, counters: ZERO_COUNTERS, llm: ZERO_USAGE };

const COUNTER_KEYS = Object.keys(ZERO_COUNTERS) as (keyof RunCounters)[];
const USAGE_KEYS = Object.keys(ZERO_USAGE) as (keyof LlmUsage)[];

export function shardOf(batchNo: number, shards: number): string {
  return String(batchNo % shards);
}

export function tallyOf(run: Pick<Run, 'batchesDone' | 'counters' | 'llm'>): Tally {
  return { batchesDone: run.batchesDone, counters: run.counters, llm: run.llm };
}

export function addTally(a: Tally, b: Tally): Tally {
  return {
    batchesDone: a.batchesDone + b.batchesDone,
    counters: addCounters(a.counters, b.counters),
    llm: addUsage(a.llm, b.llm),
  };
}

/**
 * Base plus shards, always in the same order (shards sorted by number), so the same documents
 * always give the same floating-point sums.
 */
export function sumTallies(base: Tally, shards: ReadonlyMap<string, Tally>): Tally {
  const ordered = [...shards].sort(([a], [b]) => Number(a) - Number(b));
  return ordered.reduce((sum, [, shard]) => addTally(sum, shard), base);
}

/**
 * One completed batch as server-side increments for its shard, written with merge and no
 * read: completions that share a shard never conflict, they only queue for its write.
 */
export function shardIncrements(batch: Omit<Tally, 'batchesDone'>): Record<string, unknown> {
  const inc = (n: number) => FieldValue.increment(n);
  return {
    batchesDone: inc(1),
    counters: Object.fromEntries(COUNTER_KEYS.map((k) => [k, inc(batch.counters[k])])),
    llm: Object.fromEntries(USAGE_KEYS.map((k) => [k, inc(batch.llm[k])])),
  };
}

/**
 * The base that makes `base' + shards` equal `next` when `base + shards` was `current`. Only
 * the fields `next` changed move, so an unchanged float sum never drifts by a subtraction.
 */
export function rebase(base: Tally, current: Tally, next: Tally): Tally {
  const shift = (b: number, c: number, n: number) => (n === c ? b : b + (n - c));
  return {
    batchesDone: shift(base.batchesDone, current.batchesDone, next.batchesDone),
    counters: mapKeys(COUNTER_KEYS, (k) =>
      shift(base.counters[k], current.counters[k], next.counters[k]),
    ),
    llm: mapKeys(USAGE_KEYS, (k) => shift(base.llm[k], current.llm[k], next.llm[k])),
  };
}

function mapKeys<K extends string>(
  keys: readonly K[],
  value: (key: K) => number,
): Record<K, number> {
  return Object.fromEntries(keys.map((k) => [k, value(k)])) as Record<K, number>;
}
