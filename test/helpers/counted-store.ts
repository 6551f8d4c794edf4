import type { Store } from '../../src/domain/ports.js';
import { openDatabase } from '../../src/local/sqlite/open-database.js';
import { SqliteStore } from '../../src/local/sqlite/sqlite-store.js';

/** A real (in-memory SQLite) store, and how many times each of its methods was called. */
export function aCountedStore(): { store: Store; calls: Record<string, number> } {
  const store = new SqliteStore(openDatabase(':memory:'));
  const calls: Record<string, number> = {};
  const counted = new Proxy(store, {
    get(target, property) {
      const value = Reflect.get(target, property, target);
      if (typeof value !== 'function' || typeof property !== 'string') return value;
      return (...args: unknown[]) => {
        calls[property] = (calls[property] ?? 0) + 1;
        return value.apply(target, args);
      };
    },
  });
  return { store: counted, calls };
}
