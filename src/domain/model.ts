import type { BatchPlan } from './batch-plan.js';

/**
 * The records the service keeps. The store adapters persist exactly these shapes; zod schemas
 * in the adapters check them when they are read back.
 */

export const RUN_STATUSES = [
  'QUEUED',
  'PROCESSING',
  'REVIEW',
  'DELETING',
  'DONE',
  'FAILED',
  'CANCELLED',
] as const;
/**
 * QUEUED: created, the plan task is waiting. PROCESSING: the plan task is listing the mailbox
 * into batches while batches are decided and trashed. DELETING: every message is listed; the
 * last batches are being decided and moved to Trash. REVIEW: a review run has decided every
 * batch and trashed nothing; the owner applies it (DELETING, then DONE) or it expires
 * (CANCELLED). DONE, FAILED, CANCELLED are final.
 */
export type RunStatus = (typeof RUN_STATUSES)[number];
export type RunKind = 'full' | 'incremental';
/** auto: trashes as it decides. review: decides, trashes nothing, and waits at REVIEW. */
export const RUN_MODES = ['auto', 'review'] as const;
export type RunMode = (typeof RUN_MODES)[number];
export const FINAL_STATUSES: readonly RunStatus[] = ['DONE', 'FAILED', 'CANCELLED'];

/** An encrypted secret: `v1.<keyId>.<iv>.<tag>.<ciphertext>`, base64url parts (AES-256-GCM). */
export type Sealed = string;

export interface Policy {
  /** Sender addresses or `@domain`s whose mail is never trashed. */
  readonly keepSenders: readonly string[];
  /** Plain-words instructions for the LLM ("keep anything from my bank"). */
  readonly instructions: string;
  /** The rules classifier trashes bulk mail only when older than this. */
  readonly minAgeDays: number;
  /**
   * The most the user's OpenAI calls may cost in a calendar month (UTC), in USD; null: no cap.
   * A run that would pass it pauses until the cap is raised.
   */
  readonly monthlyCapUsd: number | null;
  /**
   * Senders the owner unsubscribed from: their mail goes to Trash whatever the classifier says
   * (never past the protection rules), and each records how the unsubscribe went.
   */
  readonly alwaysTrash: readonly AlwaysTrash[];
  /**
   * Bumped whenever what decides changes (keep-list, instructions, minimum age), so cached
   * sender decisions are not reused. The spend cap decides nothing and leaves it alone.
   */
  readonly version: number;
}

/** How unsubscribing from a sender went. */
export type UnsubscribeOutcome =
  | 'unsubscribed'
  | 'refused'
  | 'failed'
  | 'timeout'
  | 'link given'
  | 'not offered';

export interface AlwaysTrash {
  /** Lowercased address. */
  readonly sender: string;
  readonly unsubscribe: UnsubscribeOutcome;
  /** Epoch ms. */
  readonly at: number;
}

export const DEFAULT_POLICY: Policy = {
  keepSenders: [],
  instructions: '',
  minAgeDays: 30,
  monthlyCapUsd: null,
  alwaysTrash: [],
  version: 1,
};

export interface WatchState {
  readonly topic: string;
  /** Epoch ms when Gmail stops sending notifications unless renewed. */
  readonly expiration: number;
  readonly lastNotificationAt: number | null;
}

export interface HistoryCursor {
  readonly historyId: string;
  readonly updatedAt: number;
}

export interface User {
  /** Google's `sub`. No email address is stored. */
  readonly id: string;
  /** HMAC-SHA256(pepper, lowercased address), to match push notifications. */
  readonly emailHash: string;
  readonly refreshToken: Sealed | null;
  readonly openAiKey: Sealed | null;
  /** Google refused the refresh token (invalid_grant): the user must sign in again. */
  readonly needsReconnect: boolean;
  readonly policy: Policy;
  readonly watch: WatchState | null;
  readonly cursor: HistoryCursor | null;
  readonly createdAt: number;
  readonly updatedAt: number;
}

export interface RunCounters {
  /** Ids the plan task listed into batches. */
  readonly listed: number;
  /** Messages decided (any decision). */
  readonly processed: number;
  readonly trashed: number;
  readonly bytesTrashed: number;
  readonly protected: number;
  readonly kept: number;
  /** Messages that could not be decided or acted on (kept, with a reason). */
  readonly failed: number;
  /** Messages that no longer existed when their batch ran. */
  readonly gone: number;
}

export const ZERO_COUNTERS: RunCounters = {
  listed: 0,
  processed: 0,
  trashed: 0,
  bytesTrashed: 0,
  protected: 0,
  kept: 0,
  failed: 0,
  gone: 0,
};

export interface LlmUsage {
  readonly calls: number;
  readonly inputTokens: number;
  readonly outputTokens: number;
  readonly costUsd: number;
}

export const ZERO_USAGE: LlmUsage = { calls: 0, inputTokens: 0, outputTokens: 0, costUsd: 0 };

export interface RunError {
  /** Epoch ms. */
  readonly at: number;
  /** Plain words, no personal data. */
  readonly message: string;
}

export interface Run {
  /** 128 random bits, base64url; also the status page capability. */
  readonly id: string;
  readonly userId: string;
  readonly kind: RunKind;
  readonly mode: RunMode;
  readonly status: RunStatus;
  readonly scheduledAt: number;
  readonly startedAt: number | null;
  readonly endedAt: number | null;
  /** The mailbox's historyId captured before listing, so the sync starts where the scan did. */
  readonly startHistoryId: string | null;
  /** Messages in scope when the run started. */
  readonly total: number;
  /** Number of batches, known once the plan task has listed everything; null before. */
  readonly batchCount: number | null;
  readonly batchesDone: number;
  readonly counters: RunCounters;
  readonly llm: LlmUsage;
  readonly errors: readonly RunError[];
  /** When the owner applied a review run (epoch ms); null for an auto run or before. */
  readonly appliedAt: number | null;
}

/**
 * A run without its tally (batches done, counters, LLM usage): what a task checks before it
 * goes on. Reading it is cheaper where the tally is kept apart (Firestore's counter shards).
 */
export type RunState = Omit<Run, 'batchesDone' | 'counters' | 'llm'>;

/** The run's state: the run without its tally. */
export function runState(run: Run): RunState {
  const { batchesDone: _done, counters: _counters, llm: _llm, ...state } = run;
  return state;
}

export type DecisionKind = 'keep' | 'trash' | 'protected' | 'failed' | 'gone';

export interface MessageDecision {
  readonly id: string;
  readonly decision: DecisionKind;
  /** Why, in a few words ("starred", "promotions older than 30 days", "LLM: newsletter"). */
  readonly reason: string;
  /**
   * Lowercased sender address of a trashed message, for the per-sender summary of a finished
   * run; null for every other decision (no address is kept that is not needed).
   */
  readonly sender: string | null;
  readonly bytes: number;
  /** The conversation of a trashed message, so the last check before Trash can look at it. */
  readonly threadId?: string | undefined;
}

/** pending: listed; decided: decisions saved, Trash may be under way; done: counted. */
export type BatchStatus = 'pending' | 'decided' | 'done';

export interface Batch {
  readonly runId: string;
  readonly batchNo: number;
  readonly messageIds: readonly string[];
  /** The list page token after this batch's page (null on the last page): where planning resumes. */
  readonly nextPageToken: string | null;
  /** Ids listed by this batch and every one before it. */
  readonly listedThrough: number;
  readonly status: BatchStatus;
  readonly decisions: readonly MessageDecision[];
  /** What deciding this batch cost, added to the run when the batch is done. */
  readonly llm: LlmUsage;
  /** How the scan by sender listed it; null for a batch of a message-by-message scan. */
  readonly plan: BatchPlan | null;
}

export type { BatchPlan, PackedPart, PlannedBatch } from './batch-plan.js';

/**
 * One batch's decided trash, waiting in its user's trash outbox until a flush moves it to
 * Trash together with other batches' (one batchModify carries up to 1,000 ids). The batch is
 * counted, and its run can end, only once this is flushed.
 */
export interface QueuedTrash {
  readonly runId: string;
  readonly batchNo: number;
  readonly ids: readonly string[];
  /** The thread of each id (same order), for the check before trashing. */
  readonly threadIds: readonly string[];
  /** Epoch ms; the outbox is flushed oldest first. */
  readonly queuedAt: number;
}

/** A cached decision for all of one sender's mail, valid for one policy version. */
export interface SenderDecision {
  readonly senderKey: string;
  readonly action: 'keep' | 'trash' | 'mixed';
  readonly reason: string;
  readonly policyVersion: number;
  readonly decidedAt: number;
}
