import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe } from 'vitest';
import type {
  LlmUsage,
  MessageDecision,
  PlannedBatch,
  Run,
  RunCounters,
  SenderDecision,
  User,
} from '../../src/domain/model.js';
import { DEFAULT_POLICY, ZERO_COUNTERS, ZERO_USAGE } from '../../src/domain/model.js';
import type { Store } from '../../src/domain/ports.js';
import type { CompleteBatch } from '../../src/domain/run-store.js';
import { describeBatchesContract } from './store-contract-batches.js';
import { describeCompletionContract } from './store-contract-completion.js';
import { describeCursorContract } from './store-contract-cursor.js';
import { describeReviewContract } from './store-contract-review.js';
import { describeRunsContract } from './store-contract-runs.js';
import { describeSenderDecisionsContract } from './store-contract-senders.js';
import { describeSyncContract } from './store-contract-sync.js';
import { describeThreadsContract } from './store-contract-threads.js';
import { describeTrashOutboxContract } from './store-contract-trash.js';
import { describeUsersContract } from './store-contract-users.js';

export const T0 = 1_700_000_000_000;
let sequence = 0;
export const unique = (prefix: string) => `${prefix}-${++sequence}-${randomUUID().slice(0, 8)}`;

export function aUser(overrides: Partial<User> = {}): User {
  return {
    id: unique('user'),
    emailHash: unique('hash'),
    refreshToken: 'v1.key-1.aXY.dGFn.Y2lwaGVy',
    openAiKey: null,
    needsReconnect: false,
    policy: { ...DEFAULT_POLICY, keepSenders: ['@bank.example'], instructions: 'keep receipts' },
    watch: null,
    cursor: null,
    createdAt: T0,
    updatedAt: T0,
    ...overrides,
  };
}

export function aRun(overrides: Partial<Run> = {}): Run {
  return {
    id: unique('run'),
    userId: unique('user'),
    kind: 'full',
    mode: 'auto',
    status: 'QUEUED',
    scheduledAt: T0,
    startedAt: null,
    endedAt: null,
    startHistoryId: null,
    total: 0,
    batchCount: null,
    batchesDone: 0,
    counters: ZERO_COUNTERS,
    llm: ZERO_USAGE,
    errors: [],
    appliedAt: null,
    ...overrides,
  };
}

export function someCounters(overrides: Partial<RunCounters> = {}): RunCounters {
  return { ...ZERO_COUNTERS, ...overrides };
}

export function someUsage(overrides: Partial<LlmUsage> = {}): LlmUsage {
  return { ...ZERO_USAGE, ...overrides };
}

export function aDecision(overrides: Partial<MessageDecision> = {}): MessageDecision {
  return {
    id: unique('msg'),
    decision: 'trash',
    reason: 'LLM: newsletter',
    sender: 'news@shop.example',
    bytes: 12_345,
    ...overrides,
  };
}

export function aSenderDecision(overrides: Partial<SenderDecision> = {}): SenderDecision {
  return {
    senderKey: 'news@shop.example',
    action: 'trash',
    reason: 'newsletter',
    policyVersion: 1,
    decidedAt: T0,
    ...overrides,
  };
}

/** A batch as the plan task saves it; the page token and count follow from its number. */
export function planned(
  batchNo: number,
  messageIds: readonly string[],
  last = false,
): PlannedBatch {
  return {
    batchNo,
    messageIds,
    nextPageToken: last ? null : `page-${batchNo + 1}`,
    listedThrough: (batchNo + 1) * messageIds.length,
  };
}

/** Batch numbers 0..count-1, each with `perBatch` message ids. */
export function batchesOf(count: number, perBatch = 3): PlannedBatch[] {
  return Array.from({ length: count }, (_, batchNo) =>
    planned(
      batchNo,
      Array.from({ length: perBatch }, (_, i) => `m-${batchNo}-${i}`),
      batchNo === count - 1,
    ),
  );
}

/**
 * Makes runs in the store `store()` gives, each with batch numbers 0..batchCount-1 put, as
 * planning leaves them.
 */
export function storedRuns(store: () => Store) {
  return async (overrides: Partial<Run> = {}, batchCount = 0): Promise<Run> => {
    const run = aRun(overrides);
    await store().createRun(run);
    await store().putBatches(run.id, batchesOf(batchCount));
    return run;
  };
}

/** What a batch task hands completeBatch: one trash decision, three messages counted. */
export function completion(run: Run, batchNo: number, more: Partial<CompleteBatch> = {}) {
  return {
    runId: run.id,
    batchNo,
    decisions: [aDecision({ id: `m-${batchNo}-0` })],
    counters: someCounters({ processed: 3, trashed: 1, bytesTrashed: 500, kept: 2 }),
    llm: someUsage({ calls: 1, inputTokens: 900, outputTokens: 40, costUsd: 0.25 }),
    now: T0 + 1_000,
    ...more,
  } satisfies CompleteBatch;
}

/**
 * The behaviour every Store adapter must have. `open` is called before each test and must
 * give an empty store (the Firestore run clears its emulator); records still get unique ids.
 */
export function describeStoreContract(
  name: string,
  open: () => Promise<{ store: Store; close(): Promise<void> }>,
): void {
  describe(`Store contract: ${name}`, () => {
    let store: Store;
    let close: () => Promise<void>;

    beforeEach(async () => {
      ({ store, close } = await open());
    });
    afterEach(async () => {
      await close();
    });

    describeSyncContract(() => store);
    describeReviewContract(() => store);
    describeTrashOutboxContract(() => store);
    describeUsersContract(() => store);
    describeRunsContract(() => store);
    describeBatchesContract(() => store);
    describeCompletionContract(() => store);
    describeSenderDecisionsContract(() => store);
    describeThreadsContract(() => store);
    describeCursorContract(() => store);
  });
}
