import { AsyncLocalStorage } from 'node:async_hooks';
import type { FirestoreMeter } from '../src/adapters/firestore/firestore-meter.js';
import type { Store } from '../src/domain/ports.js';
import { STORE_METHODS } from './store-calls.js';

type Ops = { reads: number; writes: number; deletes: number };

/**
 * Firestore documents by Store method: every method of `store` runs in an async context named
 * after it, and the meter's counts are attributed to the method whose context they happen in
 * (concurrent calls do not blur each other). What the service does outside a Store method is
 * under '(other)'. For the benchmark: where a scan's documents go.
 */
export function attributeFirestoreDocs(
  store: Store & { readonly meter: FirestoreMeter },
  into: Record<string, Ops>,
): void {
  const context = new AsyncLocalStorage<string>();
  const target = store as unknown as Record<string, (...args: unknown[]) => unknown>;
  for (const name of Object.keys(STORE_METHODS)) {
    const method = target[name]!;
    target[name] = (...args: unknown[]) =>
      context.getStore() === undefined
        ? context.run(name, () => method.apply(store, args))
        : method.apply(store, args);
  }
  const meter = store.meter;
  const count = meter.count;
  meter.count = (kind, documents) => {
    const name = context.getStore() ?? '(other)';
    const ops = into[name] ?? { reads: 0, writes: 0, deletes: 0 };
    ops[kind] += documents;
    into[name] = ops;
    count.call(meter, kind, documents);
  };
}
