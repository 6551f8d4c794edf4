import { z } from 'zod';
import type { Batch, Run, SenderDecision, User } from '../../domain/model.js';
import { RUN_MODES, RUN_STATUSES } from '../../domain/model.js';
import {
  batchPlanSchema,
  countersSchema,
  cursorSchema,
  decisionSchema,
  policySchema,
  runErrorSchema,
  usageSchema,
  watchSchema,
} from '../../domain/record-schemas.js';
import { AppError } from '../../errors.js';
import type { Tally } from './run-tally.js';

/**
 * Record <-> Firestore document mapping. Every document read back is checked against its
 * schema; the shapes follow the domain records, field for field, except the run (see RunDoc).
 */

type Data = Record<string, unknown>;

const int = z.number().int();
const tallySchema: z.ZodType<Tally> = z.object({
  batchesDone: int,
  counters: countersSchema,
  llm: usageSchema,
});

const userDoc = z.object({
  id: z.string(),
  emailHash: z.string(),
  refreshToken: z.string().nullable(),
  openAiKey: z.string().nullable(),
  needsReconnect: z.boolean(),
  policy: policySchema,
  watch: watchSchema.nullable(),
  cursor: cursorSchema.nullable(),
  createdAt: z.number(),
  updatedAt: z.number(),
});

/**
 * `runs/{runId}`. What batches add to the counters lives in the run's counter shards, so the
 * run document holds a `base` tally: the counters it was created with, plus adjustments
 * (planning's `listed`). The run's counters are `base` plus every shard, and once the run is
 * DONE the shards are folded into `base` and deleted (`folded`).
 */
const runDoc = z.object({
  id: z.string(),
  userId: z.string(),
  kind: z.enum(['full', 'incremental']),
  // Runs written before review runs existed are auto runs.
  mode: z.enum(RUN_MODES).default('auto'),
  status: z.enum(RUN_STATUSES),
  scheduledAt: z.number(),
  startedAt: z.number().nullable(),
  endedAt: z.number().nullable(),
  startHistoryId: z.string().nullable(),
  total: int,
  batchCount: int.nullable(),
  base: tallySchema,
  folded: z.boolean(),
  errors: z.array(runErrorSchema),
  appliedAt: z.number().nullable().default(null),
});
export type RunDoc = z.infer<typeof runDoc>;

const batchDoc = z.object({
  runId: z.string(),
  batchNo: int,
  messageIds: z.array(z.string()),
  nextPageToken: z.string().nullable(),
  listedThrough: int,
  status: z.enum(['pending', 'decided', 'done']),
  decisions: z.array(decisionSchema),
  llm: usageSchema,
  plan: batchPlanSchema.nullable().default(null),
});

const senderDoc = z.object({
  senderKey: z.string(),
  action: z.enum(['keep', 'trash', 'mixed']),
  reason: z.string(),
  policyVersion: int,
  decidedAt: z.number(),
});

const threadsDoc = z.object({
  threadIds: z.array(z.string()).default([]),
  marks: z.array(z.string()).default([]),
});

function check<T>(schema: z.ZodType<T>, data: Data | undefined, what: string): T {
  const parsed = schema.safeParse(data);
  if (!parsed.success) {
    throw new AppError('internal', `A stored ${what} does not match its schema`, {
      issues: parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`),
    });
  }
  return parsed.data;
}

export const toUser = (data: Data | undefined): User => check(userDoc, data, 'user');
export const userData = (user: User): Data => ({ ...user });

export const toRunDoc = (data: Data | undefined): RunDoc => check(runDoc, data, 'run');
export const toTally = (data: Data | undefined): Tally => check(tallySchema, data, 'run shard');

/** A new run's document: everything it starts with is its base. */
export function runData(run: Run): RunDoc {
  return {
    id: run.id,
    userId: run.userId,
    kind: run.kind,
    mode: run.mode,
    status: run.status,
    scheduledAt: run.scheduledAt,
    startedAt: run.startedAt,
    endedAt: run.endedAt,
    startHistoryId: run.startHistoryId,
    total: run.total,
    batchCount: run.batchCount,
    base: { batchesDone: run.batchesDone, counters: run.counters, llm: run.llm },
    folded: false,
    errors: [...run.errors],
    appliedAt: run.appliedAt,
  };
}

/** The run a document and its counter shards describe. */
export function toRun(doc: RunDoc, tally: Tally): Run {
  const { base: _base, folded: _folded, ...fields } = doc;
  return {
    ...fields,
    batchesDone: tally.batchesDone,
    counters: tally.counters,
    llm: tally.llm,
  };
}

export const toBatch = (data: Data | undefined): Batch => check(batchDoc, data, 'batch');
export const batchData = (batch: Batch): Data => ({ ...batch });

export const toSenderDecision = (data: Data | undefined): SenderDecision =>
  check(senderDoc, data, 'sender decision');

/** A bucket of marked threads: replied thread ids, and `threadId:mark` for the other marks. */
export const toThreadMarks = (data: Data | undefined): { threadIds: string[]; marks: string[] } =>
  check(threadsDoc, data, 'marked-threads chunk');
