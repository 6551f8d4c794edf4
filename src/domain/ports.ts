import type { MessageMeta } from './message.js';
import type { LlmUsage, Policy, User } from './model.js';
import type { ConversationMark } from './protection.js';
import type { RunStore } from './run-store.js';
import type { PartitionFacts } from './scan-partitions.js';
import type { TrashOutboxStore } from './trash-outbox-store.js';
import type { UserMemoryStore } from './user-memory-store.js';
import type { UserStore } from './user-store.js';

/**
 * The ports the domain owns. Each has one cloud adapter and one local adapter; one contract
 * test suite runs against both.
 */

/** Users, runs, batches, the trash outbox and what is remembered per user (one per area). */
export interface Store extends UserStore, RunStore, TrashOutboxStore, UserMemoryStore {}

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
  /**
   * A star or marker labels.list did not report. Messages may carry it all the same, so it is
   * listed; Gmail refusing it as unknown means no message carries it.
   */
  readonly unreported?: true;
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
    /** Also list messages in Spam and Trash (Gmail leaves them out by default). */
    includeSpamTrash?: boolean;
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
  /**
   * Where this call reads and caches sender decisions instead of the classifier's own store:
   * a packed batch's memory (batch-memory.ts), so that what one part decides the others find
   * without a read. The decisions still reach the store before anything is trashed.
   */
  readonly senders?: Pick<Store, 'getSenderDecisions' | 'putSenderDecisions'> | undefined;
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
