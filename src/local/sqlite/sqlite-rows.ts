import type { SQLInputValue, SQLOutputValue } from 'node:sqlite';
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

/** Row <-> record mapping. Everything read back is checked, JSON columns included. */

export type Row = Record<string, SQLOutputValue>;
export type Params = Record<string, SQLInputValue>;

const USER_COLUMNS = `id email_hash refresh_token open_ai_key needs_reconnect policy watch
  watch_expiration cursor created_at updated_at`.split(/\s+/);
const RUN_COLUMNS = `id user_id kind status scheduled_at started_at ended_at start_history_id
  total batch_count batches_done counters llm errors mode applied_at`.split(/\s+/);
const SENDER_COLUMNS = 'user_id sender_key action reason policy_version decided_at'.split(' ');

const names = (columns: string[]) => columns.join(', ');
const values = (columns: string[]) => columns.map((c) => `$${c}`).join(', ');
const assignments = (columns: string[]) =>
  columns
    .filter((c) => c !== 'id')
    .map((c) => `${c} = $${c}`)
    .join(', ');
const keyed = (columns: string[], keys: string[]) =>
  columns
    .filter((c) => !keys.includes(c))
    .map((c) => `${c} = excluded.${c}`)
    .join(', ');

/** Statements that take every column, named as in `userParams`, `runParams`, `senderParams`. */
export const USER_UPSERT = `INSERT INTO users (${names(USER_COLUMNS)}) VALUES (${values(USER_COLUMNS)})
  ON CONFLICT (id) DO UPDATE SET ${keyed(USER_COLUMNS, ['id'])}`;
export const RUN_INSERT = `INSERT INTO runs (${names(RUN_COLUMNS)}) VALUES (${values(RUN_COLUMNS)})`;
export const RUN_UPDATE = `UPDATE runs SET ${assignments(RUN_COLUMNS)} WHERE id = $id`;
export const SENDER_UPSERT = `INSERT INTO sender_decisions (${names(SENDER_COLUMNS)})
  VALUES (${values(SENDER_COLUMNS)}) ON CONFLICT (user_id, sender_key)
  DO UPDATE SET ${keyed(SENDER_COLUMNS, ['user_id', 'sender_key'])}`;

/** A TEXT column holding JSON that must match `schema`. */
function json<T>(schema: z.ZodType<T>) {
  return z
    .string()
    .transform((text, ctx) => {
      try {
        return JSON.parse(text) as unknown;
      } catch {
        ctx.addIssue({ code: 'custom', message: 'not JSON' });
        return z.NEVER;
      }
    })
    .pipe(schema);
}

const int = z.number().int();

const userRow = z.object({
  id: z.string(),
  email_hash: z.string(),
  refresh_token: z.string().nullable(),
  open_ai_key: z.string().nullable(),
  needs_reconnect: z.union([z.literal(0), z.literal(1)]),
  policy: json(policySchema),
  watch: json(watchSchema).nullable(),
  cursor: json(cursorSchema).nullable(),
  created_at: z.number(),
  updated_at: z.number(),
});

const runRow = z.object({
  id: z.string(),
  user_id: z.string(),
  kind: z.enum(['full', 'incremental']),
  status: z.enum(RUN_STATUSES),
  scheduled_at: z.number(),
  started_at: z.number().nullable(),
  ended_at: z.number().nullable(),
  start_history_id: z.string().nullable(),
  total: int,
  batch_count: int.nullable(),
  batches_done: int,
  counters: json(countersSchema),
  llm: json(usageSchema),
  errors: json(z.array(runErrorSchema)),
  mode: z.enum(RUN_MODES),
  applied_at: z.number().nullable(),
});

const batchRow = z.object({
  run_id: z.string(),
  batch_no: int,
  message_ids: json(z.array(z.string())),
  next_page_token: z.string().nullable(),
  listed_through: int,
  status: z.enum(['pending', 'decided', 'done']),
  decisions: json(z.array(decisionSchema)),
  llm: json(usageSchema),
  plan: json(batchPlanSchema).nullable(),
});

const senderRow = z.object({
  sender_key: z.string(),
  action: z.enum(['keep', 'trash', 'mixed']),
  reason: z.string(),
  policy_version: int,
  decided_at: z.number(),
});

function check<T>(schema: z.ZodType<T>, row: Row, what: string): T {
  const parsed = schema.safeParse(row);
  if (!parsed.success) {
    throw new AppError('internal', `A stored ${what} does not match its schema`, {
      issues: parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`),
    });
  }
  return parsed.data;
}

export function toUser(row: Row): User {
  const r = check(userRow, row, 'user');
  return {
    id: r.id,
    emailHash: r.email_hash,
    refreshToken: r.refresh_token,
    openAiKey: r.open_ai_key,
    needsReconnect: r.needs_reconnect === 1,
    policy: r.policy,
    watch: r.watch,
    cursor: r.cursor,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

export function userParams(user: User): Params {
  return {
    id: user.id,
    email_hash: user.emailHash,
    refresh_token: user.refreshToken,
    open_ai_key: user.openAiKey,
    needs_reconnect: user.needsReconnect ? 1 : 0,
    policy: JSON.stringify(user.policy),
    watch: user.watch === null ? null : JSON.stringify(user.watch),
    watch_expiration: user.watch?.expiration ?? null,
    cursor: user.cursor === null ? null : JSON.stringify(user.cursor),
    created_at: user.createdAt,
    updated_at: user.updatedAt,
  };
}

export function toRun(row: Row): Run {
  const r = check(runRow, row, 'run');
  return {
    id: r.id,
    userId: r.user_id,
    kind: r.kind,
    mode: r.mode,
    status: r.status,
    scheduledAt: r.scheduled_at,
    startedAt: r.started_at,
    endedAt: r.ended_at,
    startHistoryId: r.start_history_id,
    total: r.total,
    batchCount: r.batch_count,
    batchesDone: r.batches_done,
    counters: r.counters,
    llm: r.llm,
    errors: r.errors,
    appliedAt: r.applied_at,
  };
}

export function runParams(run: Run): Params {
  return {
    id: run.id,
    user_id: run.userId,
    kind: run.kind,
    status: run.status,
    scheduled_at: run.scheduledAt,
    started_at: run.startedAt,
    ended_at: run.endedAt,
    start_history_id: run.startHistoryId,
    total: run.total,
    batch_count: run.batchCount,
    batches_done: run.batchesDone,
    counters: JSON.stringify(run.counters),
    llm: JSON.stringify(run.llm),
    errors: JSON.stringify(run.errors),
    mode: run.mode,
    applied_at: run.appliedAt,
  };
}

export function toBatch(row: Row): Batch {
  const r = check(batchRow, row, 'batch');
  return {
    runId: r.run_id,
    batchNo: r.batch_no,
    messageIds: r.message_ids,
    nextPageToken: r.next_page_token,
    listedThrough: r.listed_through,
    status: r.status,
    decisions: r.decisions,
    llm: r.llm,
    plan: r.plan,
  };
}

export function toSenderDecision(row: Row): SenderDecision {
  const r = check(senderRow, row, 'sender decision');
  return {
    senderKey: r.sender_key,
    action: r.action,
    reason: r.reason,
    policyVersion: r.policy_version,
    decidedAt: r.decided_at,
  };
}

export function senderParams(userId: string, decision: SenderDecision): Params {
  return {
    user_id: userId,
    sender_key: decision.senderKey,
    action: decision.action,
    reason: decision.reason,
    policy_version: decision.policyVersion,
    decided_at: decision.decidedAt,
  };
}
