import type { SenderDecision } from '../../domain/model.js';
import type { FirestoreContext } from './firestore-context.js';
import { senderData, toSenderDecision } from './firestore-documents.js';
import { senderDocId, senders } from './firestore-paths.js';

/** Firestore takes at most 500 writes in one batched write. */
const WRITE_BATCH_LIMIT = 500;

/** `users/{userId}/senders/{senderDocId}`: one small document per sender, read by id. */
export class FirestoreSenders {
  constructor(private readonly ctx: FirestoreContext) {}

  async get(userId: string, senderKeys: readonly string[]): Promise<Map<string, SenderDecision>> {
    const refs = [...new Set(senderKeys)].map((key) =>
      senders(this.ctx.db, userId).doc(senderDocId(key)),
    );
    const snapshots = await this.ctx.getDocs(refs);
    const found = snapshots.filter((s) => s.exists).map((s) => toSenderDecision(s.data()));
    return new Map(found.map((decision) => [decision.senderKey, decision]));
  }

  /** Newest decisions first (a single-field index, which Firestore keeps by default). */
  async list(userId: string, limit: number): Promise<SenderDecision[]> {
    const query = senders(this.ctx.db, userId).orderBy('decidedAt', 'desc').limit(limit);
    return (await this.ctx.query(query)).docs.map((doc) => toSenderDecision(doc.data()));
  }

  async put(userId: string, decisions: readonly SenderDecision[]): Promise<void> {
    for (let start = 0; start < decisions.length; start += WRITE_BATCH_LIMIT) {
      const batch = this.ctx.db.batch();
      const chunk = decisions.slice(start, start + WRITE_BATCH_LIMIT);
      for (const decision of chunk) {
        batch.set(
          senders(this.ctx.db, userId).doc(senderDocId(decision.senderKey)),
          senderData(decision),
        );
      }
      await batch.commit();
      this.ctx.meter.write(chunk.length);
    }
  }
}
