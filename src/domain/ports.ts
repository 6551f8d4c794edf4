import type { MessageMeta } from './message.js';
import type {
  Batch,
  LlmUsage,
  MessageDecision,
  PlannedBatch,
  Policy,
  QueuedTrash,
  Run,
  RunCounters,
  RunError,
  RunStatus,
  SenderDecision,
  User,
} from './model.js';
import type { ConversationMark } from './protection.js';
import type { PartitionFacts } from './scan-partitions.js';

/**
 * The ports the domain owns. Each has one cloud adapter and one local adapter; one contract
 * test suite runs against both.
 */

export type UserPatch = Partial<Omit<User, 'id' | 'createdAt'>>;
export type RunPatch = Partial<
  Pick<Run, 'status' | 'startedAt' | 'endedAt' | 'startHistoryId' | 'total' | 'appliedAt'>
>;

export interface CompleteBatch {
  readonly runId: string;
  readonly batchNo: number;
  readonly decisions: readonly MessageDecision[];
  /** What this batch adds to the run's counters. */
  readonly counters: RunCounters;
  readonly llm: LlmUsage;
  readonly now: number;
}

export interface Store {
  getUser(userId: string): Promise<User | undefined>;
  findUserByEmailHash(emailHash: string): Promise<User | undefined>;
  /** Creates or replaces the user record. */
  putUser(user: User): Promise<void>;
  /** Changes some fields; returns the updated user, or undefined when there is none. */
  updateUser(userId: string, patch: UserPatch): Promise<User | undefined>;
  /**
   * Deletes the user and every record that belongs to them (runs, batches, senders, threads,
   * trash outbox).
   */
  deleteUser(userId: string): Promise<void>;
  /** Users whose watch expires before `before` (epoch ms), for renewal. */
  listUsersWithWatchBefore(before: number, limit: number): Promise<User[]>;
  /**
   * Users with a history cursor last moved (or refreshed) before `before` (epoch ms), oldest
   * first: they have had no sync for a while, so they get a catch-up sync.
   */
  listUsersSyncedBefore(before: number, limit: number): Promise<User[]>;
  /**
   * Sets `watch.lastNotificationAt` to `at` when the user has a watch and `at` is later than
   * the recorded time; touches nothing else (a concurrent watch renewal keeps its expiration).
   */
  recordNotification(userId: string, at: number): Promise<void>;

  createRun(run: Run): Promise<void>;
  getRun(runId: string): Promise<Run | undefined>;
  /** The user's runs, newest first. */
  listRuns(userId: string, limit: number): Promise<Run[]>;
  /**
   * Changes a run if its status is one of `fromStatuses` (compare-and-set); returns the run
   * after the change, or undefined when the status did not match (nothing changed).
   */
  updateRun(
    runId: string,
    fromStatuses: readonly RunStatus[],
    patch: RunPatch,
  ): Promise<Run | undefined>;
  /** Appends to the run's error log (bounded: the oldest entries go past 50). */
  appendRunError(runId: string, error: RunError): Promise<void>;

  /** Creates batches that do not exist yet; existing ones are left as they are (idempotent). */
  putBatches(runId: string, batches: readonly PlannedBatch[]): Promise<void>;
  getBatch(runId: string, batchNo: number): Promise<Batch | undefined>;
  /** The batch with the highest number, where a retried plan task resumes. */
  lastBatch(runId: string): Promise<Batch | undefined>;
  listBatches(runId: string): Promise<Batch[]>;
  /**
   * Saves a pending batch's decisions and what deciding cost (status decided), before
   * anything is trashed. A batch already decided or done is returned unchanged.
   */
  saveDecisions(
    runId: string,
    batchNo: number,
    decisions: readonly MessageDecision[],
    llm: LlmUsage,
  ): Promise<Batch>;
  /**
   * In one transaction: if the batch is still pending, store its decisions, mark it done, add
   * its counters and LLM usage to the run, count it, and move the run to DONE when it was the
   * last batch of a fully planned run. A batch already done changes nothing (`applied: false`).
   */
  completeBatch(input: CompleteBatch): Promise<{ applied: boolean; run: Run }>;
  /**
   * In one transaction: records that planning finished with `batchCount` batches and `listed`
   * ids (which becomes the run's total), sets status DELETING, or DONE when every batch is
   * already done (or there are none).
   */
  finishPlanning(
    runId: string,
    batchCount: number,
    listed: number,
    now: number,
  ): Promise<Run | undefined>;

  /**
   * Replaces the decisions of a done batch (a review's kept senders: their trash becomes
   * keep); counters are not touched. A batch that is not done is left as it is.
   */
  reviseDecisions(
    runId: string,
    batchNo: number,
    decisions: readonly MessageDecision[],
  ): Promise<void>;
  /**
   * In one transaction: an applied review run (DELETING, `appliedAt` set, every batch done)
   * adds `added` to its counters and becomes DONE. Any other run is unchanged (undefined), so
   * a repeated call counts nothing twice.
   */
  finishApplied(runId: string, added: RunCounters, now: number): Promise<Run | undefined>;

  /**
   * Puts a decided batch's trash in its user's trash outbox, unless that batch's entry is
   * there already (a retry adds nothing). Returns how many ids the user's outbox now holds.
   */
  queueTrash(userId: string, entry: QueuedTrash): Promise<number>;
  /** Up to `limit` entries of the user's trash outbox, oldest first. */
  queuedTrash(userId: string, limit: number): Promise<QueuedTrash[]>;
  /** Takes flushed (or dropped) entries out of the user's outbox; absent ones are ignored. */
  unqueueTrash(
    userId: string,
    entries: readonly Pick<QueuedTrash, 'runId' | 'batchNo'>[],
  ): Promise<void>;

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
   * Remembers how the user marked conversations (thread id -> mark). A conversation keeps
   * every mark it was given; `sent` is the same memory as addRepliedThreads.
   */
  addMarkedThreads(userId: string, marks: ReadonlyMap<string, ConversationMark>): Promise<void>;
  /** Of the given thread ids, those marked, each with its strongest mark (see strongestMark). */
  markedThreads(
    userId: string,
    threadIds: readonly string[],
  ): Promise<Map<string, ConversationMark>>;

  /**
   * Moves the user's history cursor to `next` only if it is still `expected` (compare-and-set)
   * and `next` is not older; returns whether it moved.
   */
  advanceCursor(
    userId: string,
    expected: string | null,
    next: string,
    now: number,
  ): Promise<boolean>;
}

export interface Task {
  /** Dedupe key: a task with a name already queued (or recently run) is not added again. */
  readonly name?: string | undefined;
  /** The task endpoint, e.g. `/tasks/plan`. */
  readonly path: string;
  readonly payload: Readonly<Record<string, unknown>>;
  readonly delayMs?: number | undefined;
}

export interface TaskQueue {
  enqueue(task: Task): Promise<void>;
}

export interface Profile {
  readonly emailAddress: string;
  readonly messagesTotal: number;
  readonly historyId: string;
}

export interface IdPage {
  readonly ids: readonly { id: string; threadId: string }[];
  readonly nextPageToken: string | undefined;
}

export interface HistoryPage {
  /** Ids of messages added since the start id (deduplicated, in order). */
  readonly added: readonly { id: string; threadId: string; labelIds: readonly string[] }[];
  readonly historyId: string;
  readonly nextPageToken: string | undefined;
}

export interface LabelHistoryPage {
  /** Labels added to messages since the start id, each with the message's conversation. */
  readonly added: readonly { threadId: string; labelIds: readonly string[] }[];
  readonly nextPageToken: string | undefined;
}

/** A label whose messages mark their conversation, and how. */
export interface MarkingLabel {
  readonly id: string;
  readonly mark: ConversationMark;
}

/** A label as labels.list reports it. */
export interface LabelInfo {
  readonly id: string;
  readonly type: 'system' | 'user';
}

/** What history says was marked since a history id. */
export interface ProtectedSince {
  /** Messages that gained (or arrived with) a marking label. */
  readonly messageIds: ReadonlySet<string>;
  /** Their conversations, each with the strongest mark seen. */
  readonly marks: ReadonlyMap<string, ConversationMark>;
}

/** One user's Gmail, under that user's quota. */
export interface Mailbox {
  profile(): Promise<Profile>;
  listIds(query: {
    q?: string;
    labelIds?: readonly string[];
    pageToken?: string | undefined;
  }): Promise<IdPage>;
  /** Metadata of each message; ids missing from the result no longer exist. */
  getMetadata(ids: readonly string[]): Promise<Map<string, MessageMeta>>;
  /**
   * The values of the named headers of one message (messages.get, format=metadata); headers
   * it lacks are absent; undefined when the message no longer exists.
   */
  headers(id: string, names: readonly string[]): Promise<Record<string, string> | undefined>;
  /** Moves messages to Trash (batchModify, up to 1,000 ids a call). */
  trash(ids: readonly string[]): Promise<void>;
  untrash(ids: readonly string[]): Promise<void>;
  /** messageAdded history since a start id; 'expired' when Gmail no longer has it (404). */
  history(startHistoryId: string, pageToken?: string): Promise<HistoryPage | 'expired'>;
  /** labelAdded history since a start id; 'expired' when Gmail no longer has it (404). */
  labelsAdded(startHistoryId: string, pageToken?: string): Promise<LabelHistoryPage | 'expired'>;
  /** labels.list: every label of the account, system and user. */
  labels(): Promise<LabelInfo[]>;
  /**
   * Messages that gained one of the marking labels since a history id, and their
   * conversations: checked before anything is trashed. 'expired' when Gmail no longer has it.
   */
  protectedSince(
    startHistoryId: string,
    labels: readonly MarkingLabel[],
  ): Promise<ProtectedSince | 'expired'>;
  watch(topic: string): Promise<{ historyId: string; expiration: number }>;
  stop(): Promise<void>;
}

export interface ClassifyInput {
  readonly userId: string;
  readonly policy: Policy;
  readonly messages: readonly MessageMeta[];
  readonly now: number;
}

export interface ClassifierAnswer {
  readonly action: 'keep' | 'trash';
  readonly reason: string;
  /**
   * The classifier could not decide (a failed, timed-out, refused or malformed call): the
   * message is asked about again with its batch, and if it still cannot be decided it is kept
   * and counted as failed, never as a decision to keep.
   */
  readonly failed?: boolean;
}

export interface ClassifyResult {
  /** Per message id; a message without an answer is kept. */
  readonly answers: ReadonlyMap<string, ClassifierAnswer>;
  readonly usage: LlmUsage;
}

export interface Classifier {
  classify(input: ClassifyInput): Promise<ClassifyResult>;
  /**
   * Present when the classifier can judge from search facts plus a sender's samples, without
   * each message's text: then a full scan can go by sender. `needsSender` says for which
   * parts of the mailbox the sender matters at all (the others are decided from their facts).
   */
  readonly scanBySender?: {
    needsSender(facts: PartitionFacts): boolean;
    /** Parts whose every message must be read (judged one by one on its text). */
    mustRead?(facts: PartitionFacts): boolean;
    /** Judges text: a sender's unread mail follows its cached sender decision, or is read. */
    readonly readsText?: boolean;
    /**
     * Decides whole parts of the mailbox from their search facts alone where it can (one
     * question for every part, cached per policy version); the parts answered `senders` are
     * looked at sender by sender. A failed or refused call decides no part.
     */
    decideParts?(input: DecidePartsInput): Promise<DecidePartsResult>;
  };
}

/** What a classifier decided of a whole part of the mailbox from its search facts alone. */
export interface PartDecision {
  /** Every message of the part goes to Trash, or is kept; `senders`: look at its senders. */
  readonly action: 'trash' | 'keep' | 'senders';
  readonly reason: string;
}

export interface DecidePartsInput {
  readonly userId: string;
  readonly policy: Policy;
  /** Parts by their key (scan-partitions.ts). */
  readonly parts: readonly { readonly key: string; readonly facts: PartitionFacts }[];
  readonly now: number;
}

export interface DecidePartsResult {
  /** By part key; a part without a decision is looked at sender by sender. */
  readonly decisions: ReadonlyMap<string, PartDecision>;
  readonly usage: LlmUsage;
}

/** The answer to a cheap call made with a key before it is stored. */
export type KeyCheck = { readonly ok: true } | { readonly ok: false; readonly message: string };

export interface DataKey {
  readonly id: string;
  /** 32 bytes for AES-256-GCM. */
  readonly key: Buffer;
}

/** Data-encryption keys: the current one seals, any known one opens. */
export interface KeyRing {
  current(): Promise<DataKey>;
  byId(keyId: string): Promise<DataKey | undefined>;
  /** A stable key for one purpose (email hashing, session signing); it survives rotation. */
  macKey(purpose: 'email-hash' | 'session'): Promise<Buffer>;
}

export interface Clock {
  now(): number;
}

export interface Ids {
  /** 128 random bits, base64url. */
  runId(): string;
}

/** Opens the Mailbox of a user (decrypting their refresh token); throws ReconnectNeeded. */
export type MailboxFactory = (user: User) => Promise<Mailbox>;
