import { createHash } from 'node:crypto';
import { FieldValue } from '@google-cloud/firestore';
import type { FirestoreContext } from './firestore-context.js';
import { toThreadIds } from './firestore-documents.js';
import { threadBuckets } from './firestore-paths.js';

/**
 * Threads a user replied in, chunked into a fixed number of hash buckets
 * (`users/{userId}/repliedThreads/{bucket}`, each `{threadIds: [...]}`), so checking the 500
 * messages of a batch reads at most BUCKETS documents instead of 500 tiny ones. A bucket takes
 * 40,000 ids (Firestore's index entries per document) and stays under 1 MiB, so a user may
 * have some 300,000 replied threads. Ids already stored are not written again: a rerun of a
 * full scan, which lists the same SENT threads, writes nothing.
 */
const BUCKETS = 8;

function bucketOf(threadId: string): string {
  return String(createHash('sha256').update(threadId).digest().readUInt32BE(0) % BUCKETS);
}

function byBucket(threadIds: readonly string[]): Map<string, Set<string>> {
  const buckets = new Map<string, Set<string>>();
  for (const id of threadIds) {
    const bucket = bucketOf(id);
    const ids = buckets.get(bucket) ?? new Set<string>();
    ids.add(id);
    buckets.set(bucket, ids);
  }
  return buckets;
}

export class FirestoreRepliedThreads {
  constructor(private readonly ctx: FirestoreContext) {}

  async add(userId: string, threadIds: readonly string[]): Promise<void> {
    const wanted = byBucket(threadIds);
    const known = await this.read(userId, [...wanted.keys()]);
    const batch = this.ctx.db.batch();
    let writes = 0;
    for (const [bucket, ids] of wanted) {
      const missing = [...ids].filter((id) => !known.get(bucket)?.has(id));
      if (missing.length === 0) continue;
      // arrayUnion needs no read-modify-write: concurrent adds to one bucket both land.
      const ref = threadBuckets(this.ctx.db, userId).doc(bucket);
      batch.set(ref, { threadIds: FieldValue.arrayUnion(...missing) }, { merge: true });
      writes++;
    }
    if (writes === 0) return;
    await batch.commit();
    this.ctx.meter.write(writes);
  }

  async find(userId: string, threadIds: readonly string[]): Promise<Set<string>> {
    const wanted = byBucket(threadIds);
    const known = await this.read(userId, [...wanted.keys()]);
    const found = new Set<string>();
    for (const [bucket, ids] of wanted) {
      for (const id of ids) if (known.get(bucket)?.has(id)) found.add(id);
    }
    return found;
  }

  private async read(userId: string, buckets: string[]): Promise<Map<string, Set<string>>> {
    const refs = buckets.map((bucket) => threadBuckets(this.ctx.db, userId).doc(bucket));
    const snapshots = await this.ctx.getDocs(refs);
    return new Map(
      snapshots
        .filter((snapshot) => snapshot.exists)
        .map((snapshot) => [snapshot.id, new Set(toThreadIds(snapshot.data()))]),
    );
  }
}
