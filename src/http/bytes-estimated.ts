import type { Run } from '../domain/model.js';
import type { Store } from '../domain/ports.js';

/**
 * Whether a run's bytes moved to Trash are an estimate: a scan by sender decides most mail
 * without reading it, and counts it at its size bucket (see jobs/size-buckets.ts), within a
 * few percent but not exact. Such a run's batches carry a plan from the first one on; a run
 * planned message by message has none and counts each message's own size. One batch read.
 */
export async function bytesEstimated(store: Pick<Store, 'getBatch'>, run: Run): Promise<boolean> {
  if (run.counters.trashed === 0) return false;
  const first = await store.getBatch(run.id, 0);
  return first?.plan !== null && first?.plan !== undefined;
}
