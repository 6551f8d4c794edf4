import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';

/** Every table a local service keeps, the queue's included. */
export const TABLES = [
  'users',
  'runs',
  'batches',
  'sender_decisions',
  'marked_threads',
  'trash_outbox',
  'queue_tasks',
] as const;

/**
 * The whole local database as text, read through a second connection: what a request changed
 * shows up here whatever the code meant to do.
 */
export function dumpStore(dataDir: string): Record<(typeof TABLES)[number], unknown[]> {
  const db = new DatabaseSync(join(dataDir, 'clean-that-up.db'), { readOnly: true });
  try {
    const dump = {} as Record<(typeof TABLES)[number], unknown[]>;
    for (const table of TABLES) {
      dump[table] = db.prepare(`SELECT * FROM ${table} ORDER BY 1, 2`).all();
    }
    return dump;
  } finally {
    db.close();
  }
}
