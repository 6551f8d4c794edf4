import { FieldPath, FieldValue, type Query, Timestamp } from '@google-cloud/firestore';
import { z } from 'zod';
import type { SenderDecision } from '../../domain/model.js';
import { AppError } from '../../errors.js';
import type { FirestoreContext } from './firestore-context.js';
import { toSenderDecision } from './firestore-documents.js';
import { senderDocId, senderSets, senders } from './firestore-paths.js';

/** Firestore compares at most 30 values in one `array-contains-any` or `in` filter. */
const KEYS_PER_QUERY = 30;
/**
 * Decisions per set document: a packed batch's (up to 500 ids) fit in one, some 100 KB, far
 * below the 1 MiB limit and the 40,000 index entries of a document.
 */
const DECISIONS_PER_SET = 500;
/** Sets a listing reads per query: a sync's 400 senders are usually in the newest few. */
const SETS_PER_PAGE = 4;

const setDoc = z.object({
  keys: z.array(z.string()),
  decisions: z.array(z.record(z.string(), z.unknown())),
  newest: z.number(),
  writtenAt: z.instanceof(Timestamp),
});

interface DecisionSet {
  readonly id: string;
  readonly writtenAt: Timestamp;
  readonly decisions: readonly SenderDecision[];
}

/**
 * A user's sender decisions, as sets: every put writes one document
 * (`users/{userId}/senderSets/{id}`) holding all the decisions it was given, so saving a
 * packed batch's 200 senders costs one document write, not 200. A read asks for the sets that
 * name its senders (one query per 30 senders, `array-contains-any` on `keys`), and a sender's
 * decision is the one of the set written last (`writtenAt`, the commit time), as a put
 * replaces a decision in SQLite. Sets are never rewritten: one whose senders were all decided
 * again later is only read when one of them is asked for.
 *
 * Decisions written before sets existed, one document per sender in
 * `users/{userId}/senders/{senderDocId}`, are still read: whether a user has any is asked once
 * per process (nothing writes there any more), and only their users pay the extra queries.
 * A set always overrides them, since every set was written after them.
 */
export class FirestoreSenders {
  /** Users known to have, or not to have, decisions in the old one-document-per-sender layout. */
  private readonly legacy = new Map<string, Promise<boolean>>();

  constructor(private readonly ctx: FirestoreContext) {}

  async get(userId: string, senderKeys: readonly string[]): Promise<Map<string, SenderDecision>> {
    const keys = [...new Set(senderKeys)];
    if (keys.length === 0) return new Map();
    const wanted = new Set(keys);
    const sets = new Map<string, DecisionSet>();
    for (const chunk of chunks(keys, KEYS_PER_QUERY)) {
      const query = senderSets(this.ctx.db, userId).where('keys', 'array-contains-any', chunk);
      for (const set of await this.readSets(query)) sets.set(set.id, set);
    }
    const found = (await this.hasLegacy(userId))
      ? await this.legacyGet(userId, keys)
      : new Map<string, SenderDecision>();
    for (const set of oldestFirst(sets.values())) {
      for (const decision of set.decisions) {
        if (wanted.has(decision.senderKey)) found.set(decision.senderKey, decision);
      }
    }
    return found;
  }

  /**
   * The most recently decided senders, newest first: the sets are read from the one with the
   * newest decision down, until `limit` senders are known that are at least as new as any set
   * left unread. A sender named by several sets read keeps the decision of the last written.
   */
  async list(userId: string, limit: number): Promise<SenderDecision[]> {
    if (limit <= 0) return [];
    const current = new Map<string, { decision: SenderDecision; writtenAt: Timestamp }>();
    let cursor: Query = senderSets(this.ctx.db, userId)
      .orderBy('newest', 'desc')
      .orderBy(FieldPath.documentId(), 'desc');
    const ranked = () =>
      [...current.values()]
        .map((c) => c.decision)
        .sort((a, b) => b.decidedAt - a.decidedAt || compare(a.senderKey, b.senderKey));
    for (;;) {
      const snapshot = await this.ctx.query(cursor.limit(SETS_PER_PAGE));
      for (const doc of snapshot.docs) {
        const set = toSet(doc.id, doc.data());
        for (const decision of set.decisions) {
          const seen = current.get(decision.senderKey);
          if (!seen || later(set.writtenAt, seen.writtenAt)) {
            current.set(decision.senderKey, { decision, writtenAt: set.writtenAt });
          }
        }
      }
      const last = snapshot.docs.at(-1);
      if (!last || snapshot.size < SETS_PER_PAGE) break;
      // Every set left unread holds decisions no newer than the last one read.
      const kth = ranked()[limit - 1];
      if (kth && kth.decidedAt >= Number(last.get('newest'))) break;
      cursor = cursor.startAfter(last);
    }
    const found = ranked();
    if (found.length < limit && (await this.hasLegacy(userId))) {
      const query = senders(this.ctx.db, userId).orderBy('decidedAt', 'desc').limit(limit);
      for (const doc of (await this.ctx.query(query)).docs) {
        const decision = toSenderDecision(doc.data());
        if (!current.has(decision.senderKey)) {
          current.set(decision.senderKey, { decision, writtenAt: new Timestamp(0, 0) });
        }
      }
      return ranked().slice(0, limit);
    }
    return found.slice(0, limit);
  }

  async put(userId: string, decisions: readonly SenderDecision[]): Promise<void> {
    // One decision per sender in a put: the last one given, as SQLite's upserts leave it.
    const latest = [...new Map(decisions.map((d) => [d.senderKey, d])).values()];
    if (latest.length === 0) return;
    const batch = this.ctx.db.batch();
    const parts = chunks(latest, DECISIONS_PER_SET);
    for (const part of parts) {
      batch.create(senderSets(this.ctx.db, userId).doc(), {
        keys: part.map((d) => d.senderKey),
        decisions: part.map((d) => ({ ...d })),
        newest: Math.max(...part.map((d) => d.decidedAt)),
        writtenAt: FieldValue.serverTimestamp(),
      });
    }
    await batch.commit();
    this.ctx.meter.write(parts.length);
  }

  private async readSets(query: Query): Promise<DecisionSet[]> {
    const snapshot = await this.ctx.query(query);
    return snapshot.docs.map((doc) => toSet(doc.id, doc.data()));
  }

  private hasLegacy(userId: string): Promise<boolean> {
    let known = this.legacy.get(userId);
    if (!known) {
      known = this.ctx
        .query(senders(this.ctx.db, userId).select().limit(1))
        .then((snapshot) => !snapshot.empty);
      // A failed probe is asked again next time, not remembered.
      known.catch(() => this.legacy.delete(userId));
      this.legacy.set(userId, known);
    }
    return known;
  }

  private async legacyGet(userId: string, keys: readonly string[]) {
    const found = new Map<string, SenderDecision>();
    for (const chunk of chunks(keys, KEYS_PER_QUERY)) {
      const refs = chunk.map((key) => senders(this.ctx.db, userId).doc(senderDocId(key)));
      const query = senders(this.ctx.db, userId).where(FieldPath.documentId(), 'in', refs);
      for (const doc of (await this.ctx.query(query)).docs) {
        const decision = toSenderDecision(doc.data());
        found.set(decision.senderKey, decision);
      }
    }
    return found;
  }

  /** The user is gone (their documents deleted): a new one of the same id has no old layout. */
  forget(userId: string): void {
    this.legacy.delete(userId);
  }
}

function toSet(id: string, data: unknown): DecisionSet {
  const parsed = setDoc.safeParse(data);
  if (!parsed.success) throw new AppError('internal', 'A sender set does not have its shape');
  return {
    id,
    writtenAt: parsed.data.writtenAt,
    decisions: parsed.data.decisions.map((d) => toSenderDecision(d)),
  };
}

/** Sets in the order they were written (commit time, then id), so later ones override. */
function oldestFirst(sets: Iterable<DecisionSet>): DecisionSet[] {
  return [...sets].sort(
    (a, b) =>
      a.writtenAt.seconds - b.writtenAt.seconds ||
      a.writtenAt.nanoseconds - b.writtenAt.nanoseconds ||
      compare(a.id, b.id),
  );
}

const later = (a: Timestamp, b: Timestamp) =>
  a.seconds > b.seconds || (a.seconds === b.seconds && a.nanoseconds > b.nanoseconds);

const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let start = 0; start < items.length; start += size) {
    out.push(items.slice(start, start + size));
  }
  return out;
}
