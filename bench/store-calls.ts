import type { Store } from '../src/domain/ports.js';

/** The Store port's methods: only these are counted (not the adapter's private helpers). */
const STORE_METHODS = [
  'getUser',
  'findUserByEmailHash',
  'putUser',
  'updateUser',
  'deleteUser',
  'listUsersWithWatchBefore',
  'listUsersSyncedBefore',
  'recordNotification',
  'createRun',
  'getRun',
  'listRuns',
  'updateRun',
  'appendRunError',
  'putBatches',
  'getBatch',
  'lastBatch',
  'listBatches',
  'saveDecisions',
  'completeBatch',
  'finishPlanning',
  'queueTrash',
  'queuedTrash',
  'unqueueTrash',
  'getSenderDecisions',
  'putSenderDecisions',
  'addRepliedThreads',
  'repliedThreads',
  'advanceCursor',
] as const satisfies readonly (keyof Store)[];

/** Store methods that only read; every other method of the Store port writes. */
const READS = /^(get|find|list|last|repliedThreads|queuedTrash)/;

/** Store reads and writes per 1,000 messages, from the per-method counts. */
export function storeOps(store: Record<string, number>, messages: number) {
  let reads = 0;
  let writes = 0;
  for (const [method, n] of Object.entries(store)) {
    if (READS.test(method)) reads += n;
    else writes += n;
  }
  const per1000 = (n: number) => (messages === 0 ? 0 : (n * 1000) / messages);
  return { reads, writes, readsPer1000: per1000(reads), writesPer1000: per1000(writes) };
}

/**
 * A counting proxy around the Store port: each method of the instance is replaced by one that
 * counts, so every component holding this store (jobs, routes, classifier cache) is counted.
 */
export function countStoreCalls(store: Store, into: Record<string, number>): void {
  const target = store as unknown as Record<string, (...args: unknown[]) => unknown>;
  for (const name of STORE_METHODS) {
    const method = target[name]!;
    target[name] = (...args: unknown[]) => {
      into[name] = (into[name] ?? 0) + 1;
      return method.apply(store, args);
    };
  }
}
