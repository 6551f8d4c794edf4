import { createHash } from 'node:crypto';
import { type Firestore, Timestamp } from '@google-cloud/firestore';
import { z } from 'zod';
import {
  countDeadWork,
  type DeadWork,
  type DeadWorkCounts,
  type DeadWorkLog,
} from '../../domain/dead-work.js';
import { deadWork } from './firestore-paths.js';

/** Records live in `deadWork/{hash of source and key}`; a TTL policy on `expireAt` removes them. */ const KEPT_MS =
  30 * 86_400_000;
/** Records one count reads at most. */
const READ_LIMIT = 1_000;

const recordSchema = z.object({ source: z.enum(['task', 'push']), path: z.string() });

/** gcp mode's DeadWorkLog: one document per dead task or push, keyed so a repeat counts once. */
export class FirestoreDeadWork implements DeadWorkLog {
  constructor(private readonly db: Firestore) {}

  async record(work: DeadWork): Promise<void> {
    const id = createHash('sha256').update(`${work.source}\n${work.key}`).digest('base64url');
    await deadWork(this.db)
      .doc(id)
      .set({
        source: work.source,
        path: work.path,
        status: work.status,
        attempts: work.attempts,
        at: work.at,
        expireAt: Timestamp.fromMillis(work.at + KEPT_MS),
      });
  }

  async countSince(since: number): Promise<DeadWorkCounts> {
    const snapshot = await deadWork(this.db)
      .where('at', '>=', since)
      .orderBy('at', 'desc')
      .limit(READ_LIMIT + 1)
      .select('source', 'path')
      .get();
    const recorded = snapshot.docs
      .slice(0, READ_LIMIT)
      .map((doc) => recordSchema.parse(doc.data()));
    return countDeadWork(recorded, since, snapshot.size > READ_LIMIT);
  }
}
