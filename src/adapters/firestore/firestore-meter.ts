import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * Counts document reads, writes and deletes the way Firestore bills them: a document read
 * (also one that does not exist), at least one read per query even when it matches nothing,
 * one write per document written. A transaction retried under contention pays its reads again
 * at every attempt, but its writes and deletes only once, when it commits.
 */
export interface FirestoreOps {
  readonly reads: number;
  readonly writes: number;
  readonly deletes: number;
}

type Changes = { writes: number; deletes: number };

export class FirestoreMeter {
  private counts = { reads: 0, writes: 0, deletes: 0 };
  /** The writes and deletes of the transaction attempt under way, if any. */
  private readonly attempt = new AsyncLocalStorage<Changes>();

  /** `documents` read by gets (each counts) or returned by one query (at least one counts). */
  read(documents: number, query = false): void {
    this.count('reads', query ? Math.max(1, documents) : documents);
  }

  write(documents = 1): void {
    const attempt = this.attempt.getStore();
    if (attempt) attempt.writes += documents;
    else this.count('writes', documents);
  }

  delete(documents = 1): void {
    const attempt = this.attempt.getStore();
    if (attempt) attempt.deletes += documents;
    else this.count('deletes', documents);
  }

  /**
   * Runs one attempt of a transaction: the writes and deletes it makes are held in `changes`,
   * to be counted (write, delete) by the caller once the transaction commits.
   */
  duringAttempt<T>(changes: Changes, work: () => Promise<T>): Promise<T> {
    return this.attempt.run(changes, work);
  }

  /** Where every count lands (one place, so that a benchmark can watch them). */
  count(kind: keyof FirestoreOps, documents: number): void {
    this.counts[kind] += documents;
  }

  snapshot(): FirestoreOps {
    return { ...this.counts };
  }

  reset(): void {
    this.counts = { reads: 0, writes: 0, deletes: 0 };
  }
}

/** Ops per 1,000 of something (messages scanned), rounded to one decimal. */
export function perThousand(ops: FirestoreOps, of: number): FirestoreOps {
  const rate = (n: number) => (of === 0 ? 0 : Math.round((n * 10_000) / of) / 10);
  return { reads: rate(ops.reads), writes: rate(ops.writes), deletes: rate(ops.deletes) };
}
