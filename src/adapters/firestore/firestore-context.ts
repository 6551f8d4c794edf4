import type {
  DocumentReference,
  DocumentSnapshot,
  Firestore,
  Query,
  QuerySnapshot,
  Transaction,
} from '@google-cloud/firestore';
import type { FirestoreMeter } from './firestore-meter.js';

/**
 * What the store's parts share: the client, the meter, and metered reads that go through a
 * transaction when one is given. Every read is counted where it happens, so a transaction
 * retried under contention counts again, as Firestore bills it; its writes count once.
 */
export class FirestoreContext {
  constructor(
    readonly db: Firestore,
    readonly meter: FirestoreMeter,
    private readonly maxAttempts: number,
  ) {}

  /** A transaction whose writes and deletes are counted once, for the attempt that commits. */
  async transaction<T>(work: (tx: Transaction) => Promise<T>): Promise<T> {
    let committed = { writes: 0, deletes: 0 };
    const result = await this.db.runTransaction(
      (tx) => {
        const changes = { writes: 0, deletes: 0 };
        committed = changes;
        return this.meter.duringAttempt(changes, () => work(tx));
      },
      { maxAttempts: this.maxAttempts },
    );
    if (committed.writes > 0) this.meter.write(committed.writes);
    if (committed.deletes > 0) this.meter.delete(committed.deletes);
    return result;
  }

  async getDoc(ref: DocumentReference, tx?: Transaction): Promise<DocumentSnapshot> {
    const snapshot = tx ? await tx.get(ref) : await ref.get();
    this.meter.read(1);
    return snapshot;
  }

  async getDocs(refs: DocumentReference[], tx?: Transaction): Promise<DocumentSnapshot[]> {
    if (refs.length === 0) return [];
    const snapshots = tx ? await tx.getAll(...refs) : await this.db.getAll(...refs);
    this.meter.read(refs.length);
    return snapshots;
  }

  async query(query: Query, tx?: Transaction): Promise<QuerySnapshot> {
    const snapshot = tx ? await tx.get(query) : await query.get();
    this.meter.read(snapshot.size, true);
    return snapshot;
  }
}

/** gRPC status 6: a create found the document (or a named task) already there. */
export function isAlreadyExists(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === 6;
}

/** A patch field given as undefined is left as it is: optional, not a request to clear it. */
export function definedFields<T extends object>(patch: T): Partial<T> {
  return Object.fromEntries(
    Object.entries(patch).filter(([, value]) => value !== undefined),
  ) as Partial<T>;
}
