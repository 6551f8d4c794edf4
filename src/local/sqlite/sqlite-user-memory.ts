import { z } from 'zod';
import type { SenderDecision } from '../../domain/model.js';
import {
  CONVERSATION_MARKS,
  type ConversationMark,
  strongestMark,
} from '../../domain/protection.js';
import { cursorSchema } from '../../domain/record-schemas.js';
import type { ThreadMark } from '../../domain/user-memory-store.js';
import { AppError } from '../../errors.js';
import type { SqlRunner } from './sql-runner.js';
import { SENDER_UPSERT, senderParams, toSenderDecision } from './sqlite-rows.js';

const markRow = z
  .object({ thread_id: z.string(), mark: z.enum(CONVERSATION_MARKS) })
  .transform((row) => ({ threadId: row.thread_id, mark: row.mark }));

/** Gmail history ids are unsigned 64-bit integers written in decimal. */
const HISTORY_ID = /^\d{1,20}$/;

/**
 * What the service remembers per user between runs: sender decisions, marked conversations
 * (replied threads among them), and
 * the history cursor.
 */
export class SqliteUserMemory {
  constructor(private readonly runner: SqlRunner) {}

  getSenderDecisions(userId: string, senderKeys: readonly string[]): Map<string, SenderDecision> {
    const rows = this.runner
      .sql(
        `SELECT * FROM sender_decisions
         WHERE user_id = ? AND sender_key IN (SELECT value FROM json_each(?))`,
      )
      .all(userId, JSON.stringify(senderKeys));
    return new Map(rows.map(toSenderDecision).map((d) => [d.senderKey, d]));
  }

  putSenderDecisions(userId: string, decisions: readonly SenderDecision[]): void {
    this.runner.tx(() => {
      const upsert = this.runner.sql(SENDER_UPSERT);
      for (const decision of decisions) upsert.run(senderParams(userId, decision));
    });
  }

  listSenderDecisions(userId: string, limit: number): SenderDecision[] {
    return this.runner
      .sql(
        `SELECT * FROM sender_decisions WHERE user_id = ?
         ORDER BY decided_at DESC, sender_key LIMIT ?`,
      )
      .all(userId, limit)
      .map(toSenderDecision);
  }

  addRepliedThreads(userId: string, threadIds: readonly string[]): void {
    this.addMarkedThreads(userId, new Map(threadIds.map((id) => [id, 'sent'])));
  }

  repliedThreads(userId: string, threadIds: readonly string[]): Set<string> {
    const marked = this.marks(userId, threadIds);
    return new Set(marked.filter((row) => row.mark === 'sent').map((row) => row.threadId));
  }

  addMarkedThreads(userId: string, marks: Iterable<ThreadMark>): void {
    this.runner.tx(() => {
      const insert = this.runner.sql(
        `INSERT INTO marked_threads (user_id, thread_id, mark) VALUES (?, ?, ?)
         ON CONFLICT DO NOTHING`,
      );
      for (const [threadId, mark] of marks) insert.run(userId, threadId, mark);
    });
  }

  markedThreads(userId: string, threadIds: readonly string[]): Map<string, ConversationMark> {
    return strongestOf(this.marks(userId, threadIds));
  }

  allMarkedThreads(userId: string): Map<string, ReadonlySet<ConversationMark>> {
    const all = new Map<string, Set<ConversationMark>>();
    const rows = this.runner
      .sql('SELECT thread_id, mark FROM marked_threads WHERE user_id = ?')
      .all(userId);
    for (const { threadId, mark } of rows.map((row) => markRow.parse(row))) {
      all.set(threadId, (all.get(threadId) ?? new Set()).add(mark));
    }
    return all;
  }

  private marks(userId: string, threadIds: readonly string[]) {
    return this.runner
      .sql(
        `SELECT thread_id, mark FROM marked_threads
         WHERE user_id = ? AND thread_id IN (SELECT value FROM json_each(?))`,
      )
      .all(userId, JSON.stringify(threadIds))
      .map((row) => markRow.parse(row));
  }

  /** Compare-and-set on the cursor, never backward (compared as numbers, not strings). */
  advanceCursor(userId: string, expected: string | null, next: string, now: number): boolean {
    if (!HISTORY_ID.test(next)) {
      throw new AppError('internal', 'A history id must be a decimal number');
    }
    return this.runner.tx(() => {
      const row = this.runner.sql('SELECT cursor FROM users WHERE id = ?').get(userId);
      if (!row) return false;
      const cursor =
        row.cursor === null ? null : cursorSchema.parse(JSON.parse(String(row.cursor)));
      const current = cursor?.historyId ?? null;
      if (current !== expected) return false;
      if (current !== null && BigInt(next) < BigInt(current)) return false;
      this.runner
        .sql('UPDATE users SET cursor = ? WHERE id = ?')
        .run(JSON.stringify({ historyId: next, updatedAt: now }), userId);
      return true;
    });
  }
}

/** Each conversation's strongest mark, from its rows. */
function strongestOf(
  rows: readonly { threadId: string; mark: ConversationMark }[],
): Map<string, ConversationMark> {
  const byThread = new Map<string, ConversationMark[]>();
  for (const { threadId, mark } of rows) {
    byThread.set(threadId, [...(byThread.get(threadId) ?? []), mark]);
  }
  const strongest = new Map<string, ConversationMark>();
  for (const [threadId, marks] of byThread) strongest.set(threadId, strongestMark(marks)!);
  return strongest;
}
