import { z } from 'zod';
import type {
  HistoryCursor,
  LlmUsage,
  MessageDecision,
  Policy,
  RunCounters,
  RunError,
  WatchState,
} from './model.js';

/** Schemas of the JSON-valued parts of the records, checked whenever they are read back. */

export const policySchema: z.ZodType<Policy> = z.object({
  keepSenders: z.array(z.string()),
  instructions: z.string(),
  minAgeDays: z.number(),
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
});
