import { createHash } from 'node:crypto';
import { FieldValue } from '@google-cloud/firestore';
import {
  CONVERSATION_MARKS,
  type ConversationMark,
  strongestMark,
} from '../../domain/protection.js';
import type { ThreadMark } from '../../domain/user-memory-store.js';
import type { FirestoreContext } from './firestore-context.js';
import { toThreadMarks } from './firestore-documents.js';
import { threadBuckets } from './firestore-paths.js';

/**
 * Conversations a user marked, chunked into a fixed number of hash buckets
 * (`users/{userId}/repliedThreads/{bucket}`), so checking the 500 messages of a batch reads at
 * most BUCKETS documents instead of 500 tiny ones. Replied threads are plain ids in
 * `threadIds` (as they always were); the other marks are `threadId:mark` entries in `marks`.
 * A bucket takes 40,000 entries (Firestore's index entries per document) and stays under
 * 1 MiB, so a user may have some 300,000 marked conversations. Entries already stored are not
 * written again: a rerun of a full scan, which lists the same marks, writes nothing.
 */
const BUCKETS = 8;

function bucketOf(threadId: string): string {
  return String(createHash('sha256').update(threadId).digest().readUInt32BE(0) % BUCKETS);
}

/** The stored entry for a mark: replied threads stay plain ids in their own field. */
function entryOf(
  threadId: string,
  mark: ConversationMark,
): readonly ['threadIds' | 'marks', string] {
  return mark === 'sent' ? ['threadIds', threadId] : ['marks', `${threadId}:${mark}`];
}

type Bucket = { readonly threadIds: ReadonlySet<string>; readonly marks: ReadonlySet<string> };

export class FirestoreRepliedThreads {
  constructor(private readonly ctx: FirestoreContext) {}

  add(userId: string, threadIds: readonly string[]): Promise<void> {
    return this.addMarks(userId, new Map(threadIds.map((id) => [id, 'sent' as const])));
  }

  async addMarks(userId: string, marks: Iterable<ThreadMark>): Promise<void> {
    const wanted = new Map<string, { threadIds: string[]; marks: string[] }>();
    for (const [threadId, mark] of marks) {
      const bucket = bucketOf(threadId);
      const entries = wanted.get(bucket) ?? { threadIds: [], marks: [] };
      const [field, entry] = entryOf(threadId, mark);
      entries[field].push(entry);
      wanted.set(bucket, entries);
    }
    const known = await this.read(userId, [...wanted.keys()]);
    const batch = this.ctx.db.batch();
    let writes = 0;
    for (const [bucket, entries] of wanted) {
      const have = known.get(bucket);
      const update: Record<string, FieldValue> = {};
      for (const field of ['threadIds', 'marks'] as const) {
        const missing = [...new Set(entries[field])].filter((e) => !have?.[field].has(e));
        // arrayUnion needs no read-modify-write: concurrent adds to one bucket both land.
        if (missing.length > 0) update[field] = FieldValue.arrayUnion(...missing);
      }
      if (Object.keys(update).length === 0) continue;
      batch.set(threadBuckets(this.ctx.db, userId).doc(bucket), update, { merge: true });
      writes++;
    }
    if (writes === 0) return;
    await batch.commit();
    this.ctx.meter.write(writes);
  }

  async find(userId: string, threadIds: readonly string[]): Promise<Set<string>> {
    const known = await this.read(userId, [...new Set(threadIds.map(bucketOf))]);
    return new Set(threadIds.filter((id) => known.get(bucketOf(id))?.threadIds.has(id)));
  }

  async findMarks(
    userId: string,
    threadIds: readonly string[],
  ): Promise<Map<string, ConversationMark>> {
    const known = await this.read(userId, [...new Set(threadIds.map(bucketOf))]);
    const found = new Map<string, ConversationMark>();
    for (const id of new Set(threadIds)) {
      const bucket = known.get(bucketOf(id));
      if (!bucket) continue;
      const marks = CONVERSATION_MARKS.filter((mark) =>
        bucket[entryOf(id, mark)[0]].has(entryOf(id, mark)[1]),
      );
      const strongest = strongestMark(marks);
      if (strongest) found.set(id, strongest);
    }
    return found;
  }

  /** Every marked conversation: the user's buckets in one query (a read per bucket). */
  async allMarks(userId: string): Promise<Map<string, ReadonlySet<ConversationMark>>> {
    const snapshot = await this.ctx.query(threadBuckets(this.ctx.db, userId));
    const all = new Map<string, Set<ConversationMark>>();
    const add = (threadId: string, mark: ConversationMark) =>
      all.set(threadId, (all.get(threadId) ?? new Set()).add(mark));
    for (const doc of snapshot.docs) {
      const data = toThreadMarks(doc.data());
      for (const threadId of data.threadIds) add(threadId, 'sent');
      for (const entry of data.marks) {
        // `threadId:mark`: thread ids hold no colon, and the mark is the last part.
        const at = entry.lastIndexOf(':');
        const mark = entry.slice(at + 1);
        if (isMark(mark)) add(entry.slice(0, at), mark);
      }
    }
    return all;
  }

  private async read(userId: string, buckets: string[]): Promise<Map<string, Bucket>> {
    const refs = buckets.map((bucket) => threadBuckets(this.ctx.db, userId).doc(bucket));
    const snapshots = await this.ctx.getDocs(refs);
    return new Map(
      snapshots
        .filter((snapshot) => snapshot.exists)
        .map((snapshot) => {
          const data = toThreadMarks(snapshot.data());
          return [snapshot.id, { threadIds: new Set(data.threadIds), marks: new Set(data.marks) }];
        }),
    );
  }
}

const isMark = (value: string): value is ConversationMark =>
  (CONVERSATION_MARKS as readonly string[]).includes(value);
