import type { MessageMeta } from './message.js';
import type { LlmUsage } from './model.js';
import type { ConversationMark } from './protection.js';
import type { PartitionFacts } from './scan-partitions.js';

/**
 * What the scan by sender knows of a batch without reading its messages: a protected part,
 * a part decided from its search facts alone, or one sender's mail in one part with a sample
 * or two read in full. `read` batches are read message by message.
 */
export type BatchPlan =
  | { readonly kind: 'protected'; readonly reason: string }
  | {
      readonly kind: 'facts';
      readonly facts: PartitionFacts;
      readonly threadIds: readonly string[];
      /**
       * Per id, its size as Gmail search placed it in a size bucket (see size-buckets.ts),
       * 0 where unknown: an estimate, not the message's own size.
       */
      readonly sizes?: readonly number[];
    }
  | {
      readonly kind: 'sender';
      readonly facts: PartitionFacts;
      readonly threadIds: readonly string[];
      readonly sender: string;
      readonly samples: readonly MessageMeta[];
      readonly sizes?: readonly number[];
      /** What the plan's question about the parts cost (see PartDecision), on one batch only. */
      readonly llm?: LlmUsage;
      /** A person the owner replied to: a kept sample keeps their mail (correspondents.ts). */
      readonly correspondent?: boolean;
    }
  | {
      /**
       * Mail decided without reading it: new mail a search attributed to senders already
       * decided the same way (see known-senders.ts), or a part of the mailbox the classifier
       * decided from its search facts alone (see PartDecision): `action` is that decision.
       */
      readonly kind: 'known';
      readonly facts: PartitionFacts;
      readonly threadIds: readonly string[];
      readonly action: 'trash' | 'keep';
      readonly reason: string;
      readonly sizes?: readonly number[];
      /** What the plan's question about the parts cost (see PartDecision), on one batch only. */
      readonly llm?: LlmUsage;
    }
  | { readonly kind: 'read' }
  | {
      /**
       * Small parts (a sender's few messages, a small facts-only part) packed into one batch:
       * each part is the next `count` ids of the batch, with its own plan.
       */
      readonly kind: 'packed';
      readonly parts: readonly PackedPart[];
      /**
       * The marked conversations among those its parts name, as the plan task knew them when
       * it saved the batch (conversations marked later are caught by the check before Trash).
       * Absent (a batch saved before plans carried them): read when the batch is decided.
       */
      readonly marks?: Readonly<Record<string, ConversationMark>> | undefined;
    };

/** One part of a packed batch. */
export interface PackedPart {
  readonly count: number;
  readonly plan: Exclude<BatchPlan, { kind: 'packed' }>;
}

/** A batch as the plan task saves it. */
export interface PlannedBatch {
  readonly batchNo: number;
  readonly messageIds: readonly string[];
  readonly nextPageToken: string | null;
  readonly listedThrough: number;
  readonly plan?: BatchPlan | undefined;
}
