import type { DatabaseSync } from 'node:sqlite';

/**
 * Runs `work` between BEGIN IMMEDIATE and COMMIT, rolling back if it throws. `work` must be
 * synchronous: with no await inside, nothing else on this handle can interleave, and the
 * immediate write lock keeps other connections out, so the whole block is atomic.
 */
export function transaction<T>(db: DatabaseSync, work: () => T): T {
  db.exec('BEGIN IMMEDIATE');
  try {
    const result = work();
    if (isThenable(result)) {
      throw new Error('A SQLite transaction body must be synchronous');
    }
    db.exec('COMMIT');
    return result;
  } catch (error) {
    if (db.isTransaction) db.exec('ROLLBACK');
    throw error;
  }
}

function isThenable(value: unknown): boolean {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}
