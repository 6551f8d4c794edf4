import { z } from 'zod';
import type { MessageMeta } from './message.js';
import type {
  BatchPlan,
  HistoryCursor,
  LlmUsage,
  MessageDecision,
  Policy,
  RunCounters,
  RunError,
  WatchState,
} from './model.js';
import { CONVERSATION_MARKS } from './protection.js';

/** Schemas of the JSON-valued parts of the records, checked whenever they are read back. */

export const policySchema: z.ZodType<Policy> = z.object({
  keepSenders: z.array(z.string()),
  instructions: z.string(),
  minAgeDays: z.number(),
  // Policies stored before the spend cap existed have none.
  monthlyCapUsd: z.number().nullable().default(null),
  alwaysTrash: z
    .array(
      z.object({
        sender: z.string(),
        unsubscribe: z.enum([
          'unsubscribed',
          'refused',
          'failed',
          'timeout',
          'link given',
          'not offered',
        ]),
        at: z.number(),
      }),
    )
    .default([]),
  version: z.number().int(),
});
export const watchSchema: z.ZodType<WatchState> = z.object({
  topic: z.string(),
  expiration: z.number(),
  lastNotificationAt: z.number().nullable(),
});
export const cursorSchema: z.ZodType<HistoryCursor> = z.object({
  historyId: z.string(),
  updatedAt: z.number(),
});
export const countersSchema: z.ZodType<RunCounters> = z.object({
  listed: z.number(),
  processed: z.number(),
  trashed: z.number(),
  bytesTrashed: z.number(),
  protected: z.number(),
  kept: z.number(),
  failed: z.number(),
  gone: z.number(),
});
export const usageSchema: z.ZodType<LlmUsage> = z.object({
  calls: z.number(),
  inputTokens: z.number(),
  outputTokens: z.number(),
  costUsd: z.number(),
});
export const runErrorSchema: z.ZodType<RunError> = z.object({
  at: z.number(),
  message: z.string(),
});
export const decisionSchema: z.ZodType<MessageDecision> = z.object({
  id: z.string(),
  decision: z.enum(['keep', 'trash', 'protected', 'failed', 'gone']),
  reason: z.string(),
  sender: z.string().nullable(),
  bytes: z.number(),
  threadId: z.string().optional(),
});

export const messageMetaSchema: z.ZodType<MessageMeta> = z.object({
  id: z.string(),
  threadId: z.string(),
  labelIds: z.array(z.string()),
  fromAddress: z.string(),
  fromName: z.string(),
  subject: z.string(),
  snippet: z.string(),
  sizeEstimate: z.number(),
  internalDate: z.number(),
  listUnsubscribe: z.boolean(),
  listId: z.string().nullable(),
});

const factsSchema = z.object({
  protectedBy: z.string().nullable(),
  category: z.enum(['promotions', 'social', 'updates', 'forums', 'personal', 'none']).nullable(),
  important: z.boolean().nullable(),
  old: z.boolean().nullable(),
});

/** Batches saved before size buckets existed have no sizes. */
const sizesSchema = z.array(z.number().int().nonnegative()).optional();

const partPlans = [
  z.object({ kind: z.literal('protected'), reason: z.string() }),
  z.object({
    kind: z.literal('facts'),
    facts: factsSchema,
    threadIds: z.array(z.string()),
    sizes: sizesSchema,
  }),
  z.object({
    kind: z.literal('sender'),
    facts: factsSchema,
    threadIds: z.array(z.string()),
    sender: z.string(),
    samples: z.array(messageMetaSchema),
    sizes: sizesSchema,
    llm: usageSchema.optional(),
    correspondent: z.boolean().optional(),
  }),
  z.object({
    kind: z.literal('known'),
    facts: factsSchema,
    threadIds: z.array(z.string()),
    action: z.enum(['trash', 'keep']),
    reason: z.string(),
    sizes: sizesSchema,
    llm: usageSchema.optional(),
  }),
  z.object({ kind: z.literal('read') }),
] as const;

const partPlanSchema = z.discriminatedUnion('kind', [...partPlans]);

export const batchPlanSchema: z.ZodType<BatchPlan> = z.discriminatedUnion('kind', [
  ...partPlans,
  z.object({
    kind: z.literal('packed'),
    parts: z.array(z.object({ count: z.number().int().positive(), plan: partPlanSchema })),
    marks: z.record(z.string(), z.enum(CONVERSATION_MARKS)).optional(),
  }),
]);
