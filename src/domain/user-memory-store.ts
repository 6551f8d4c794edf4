import type { SenderDecision } from './model.js';
import type { ConversationMark } from './protection.js';

/** A conversation (thread id) and one mark it was given. */
export type ThreadMark = readonly [threadId: string, mark: ConversationMark];

/** What the Store remembers of a user between runs: sender decisions, marked conversations. */
export interface UserMemoryStore {
  getSenderDecisions(
    userId: string,
    senderKeys: readonly string[],
  ): Promise<Map<string, SenderDecision>>;
  putSenderDecisions(userId: string, decisions: readonly SenderDecision[]): Promise<void>;
  /**
   * The user's most recently decided senders, newest first, at most `limit`: what a sync
   * attributes new mail to without reading it.
   */
  listSenderDecisions(userId: string, limit: number): Promise<SenderDecision[]>;

  /** Threads the user has replied in (they contain a SENT message). */
  addRepliedThreads(userId: string, threadIds: readonly string[]): Promise<void>;
  /** Of the given thread ids, those the user replied in. */
  repliedThreads(userId: string, threadIds: readonly string[]): Promise<Set<string>>;
  /**
   * Remembers how the user marked conversations (thread id and mark pairs: a map, or a list
   * that may name a conversation once per mark). A conversation keeps every mark it was given;
   * `sent` is the same memory as addRepliedThreads.
   */
  addMarkedThreads(userId: string, marks: Iterable<ThreadMark>): Promise<void>;
  /** Of the given thread ids, those marked, each with its strongest mark (see strongestMark). */
  markedThreads(
    userId: string,
    threadIds: readonly string[],
  ): Promise<Map<string, ConversationMark>>;
  /**
   * Every conversation the user marked, each with every mark it was given: for a task that
   * asks about many conversations it does not know in advance (a plan's listings), in one
   * read of the user's marks instead of one per question.
   */
  allMarkedThreads(userId: string): Promise<Map<string, ReadonlySet<ConversationMark>>>;
}
