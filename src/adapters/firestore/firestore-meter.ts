/**
 * Counts document reads, writes and deletes the way Firestore bills them: a document read
 * (also one that does not exist), at least one read per query even when it matches nothing,
 * one write per document written, and again for every attempt of a retried transaction.
 */
export interface FirestoreOps {
  readonly reads: number;
  readonly writes: number;
  readonly deletes: number;
}

export class FirestoreMeter {
  private counts = { reads: 0, writes: 0, deletes: 0 };

  /** `documents` read by gets (each counts) or returned by one query (at least one counts). */
  read(documents: number, query = false): void {
    this.counts.reads += query ? Math.max(1, documents) : documents;
  }

  write(documents = 1): void {
    this.counts.writes += documents;
  }

  delete(documents = 1): void {
    this.counts.deletes += documents;
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
