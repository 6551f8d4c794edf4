import type { Store } from '../src/domain/ports.js';

/**
 * The Store port's methods, each marked read or write: only these are counted (not the
 * adapter's private helpers). A Record over `keyof Store`, so a method added to the port and
 * not here fails the type check instead of going uncounted.
 */
export const STORE_METHODS: Readonly<Record<keyof Store, 'read' | 'write'>> = {
  getUser: 'read',
  findUserByEmailHash: 'read',
  putUser: 'write',
  updateUser: 'write',
  deleteUser: 'write',
  listUsersWithWatchBefore: 'read',
  listUsersSyncedBefore: 'read',
  recordNotification: 'write',
  createRun: 'write',
  getRun: 'read',
  getRunState: 'read',
  listRuns: 'read',
  listUnfinishedRuns: 'read',
  updateRun: 'write',
  appendRunError: 'write',
  putBatches: 'write',
  getBatch: 'read',
  lastBatch: 'read',
  listBatches: 'read',
  saveDecisions: 'write',
  saveTrashDecisions: 'write',
  finishFlush: 'write',
  completeBatch: 'write',
  finishPlanning: 'write',
  reviseDecisions: 'write',
  finishApplied: 'write',
  queueTrash: 'write',
  queuedTrash: 'read',
  unqueueTrash: 'write',
  getSenderDecisions: 'read',
  putSenderDecisions: 'write',
  listSenderDecisions: 'read',
  addRepliedThreads: 'write',
  repliedThreads: 'read',
  addMarkedThreads: 'write',
  markedThreads: 'read',
  allMarkedThreads: 'read',
  advanceCursor: 'write',
};

/** Store reads and writes per 1,000 messages, from the per-method counts. */
export function storeOps(store: Record<string, number>, messages: number) {
  let reads = 0;
  let writes = 0;
  for (const [method, n] of Object.entries(store)) {
    if (STORE_METHODS[method as keyof Store] === 'read') reads += n;
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
  for (const name of Object.keys(STORE_METHODS)) {
    const method = target[name]!;
    target[name] = (...args: unknown[]) => {
      into[name] = (into[name] ?? 0) + 1;
      return method.apply(store, args);
    };
  }
}
