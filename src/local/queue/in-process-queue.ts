import { randomUUID } from 'node:crypto';
import type { DatabaseSync } from 'node:sqlite';
import type { Clock, Task, TaskQueue } from '../../domain/ports.js';
import { type Logger, silentLogger } from '../../log.js';
import type { BackoffOptions } from './backoff.js';
import {
  describeOutcome,
  nonNegativeMs,
  type Outcome,
  parsePayload,
  retryDelayMs,
  succeeded,
} from './task-outcome.js';
import { type ClaimedRow, TaskTable } from './task-table.js';

/** Delivers one attempt of a task to its HTTP handler and returns the answer. */
export type TaskDispatch = (task: {
  path: string;
  payload: Readonly<Record<string, unknown>>;
  name: string;
  attempt: number;
}) => Promise<{ status: number; retryAfterMs?: number }>;

export interface InProcessQueueOptions {
  /** Shared with the store; the queue adds its own table, `queue_tasks`. */
  db: DatabaseSync;
  dispatch: TaskDispatch;
  clock?: Clock;
  log?: Logger;
  /** Tasks running at once (default 8). */
  concurrency?: number;
  /** Attempts before a task is dead-lettered: kept with status 'dead' and logged (default 20). */
  maxAttempts?: number;
  /** Exponential backoff with full jitter between these (defaults 1 s and 5 min). */
  minBackoffMs?: number;
  maxBackoffMs?: number;
  /** How long a name stays taken after its task finished (default 1 h, like Cloud Tasks). */
  dedupeWindowMs?: number;
  /** How often to look for due tasks (default 250 ms). */
  pollMs?: number;
  /** A number in [0, 1), for deterministic jitter in tests. */
  random?: () => number;
}

/** Cloud Tasks refuses tasks over 100 KB; refusing them here too finds them before the cloud. */
const MAX_PAYLOAD_BYTES = 100 * 1024;
const PRUNE_EVERY_MS = 60_000;

/**
 * The local TaskQueue: tasks persist in SQLite and are delivered to the same HTTP handlers
 * Cloud Tasks calls, with Cloud Tasks' rules: at-least-once, 2xx completes, anything else
 * retries with backoff, names dedupe for a window after completion.
 */
export class InProcessQueue implements TaskQueue {
  private readonly table: TaskTable;
  private readonly dispatch: TaskDispatch;
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly concurrency: number;
  private readonly maxAttempts: number;
  private readonly backoff: BackoffOptions;
  private readonly dedupeWindowMs: number;
  private readonly pollMs: number;

  /** In-flight attempts by task name; each promise settles when its outcome is recorded. */
  private readonly running = new Map<string, Promise<void>>();
  private idleWaiters: (() => void)[] = [];
  private timer: NodeJS.Timeout | undefined;
  private started = false;
  private lastPruneAt = Number.NEGATIVE_INFINITY;

  constructor(options: InProcessQueueOptions) {
    this.table = new TaskTable(options.db);
    this.dispatch = options.dispatch;
    this.clock = options.clock ?? { now: () => Date.now() };
    this.log = options.log ?? silentLogger;
    this.concurrency = Math.max(1, options.concurrency ?? 8);
    this.maxAttempts = Math.max(1, options.maxAttempts ?? 20);
    const minMs = options.minBackoffMs ?? 1_000;
    this.backoff = {
      minMs,
      maxMs: Math.max(minMs, options.maxBackoffMs ?? 5 * 60_000),
      random: options.random ?? Math.random,
    };
    this.dedupeWindowMs = options.dedupeWindowMs ?? 60 * 60_000;
    this.pollMs = options.pollMs ?? 250;
  }

  /**
   * Stores the task before returning. A name that is queued, running, or finished within the
   * dedupe window is ignored without error, as callers treat Cloud Tasks' ALREADY_EXISTS.
   */
  async enqueue(task: Task): Promise<void> {
    const payload = JSON.stringify(task.payload);
    if (Buffer.byteLength(payload) > MAX_PAYLOAD_BYTES) {
      throw new Error(`task payload over ${MAX_PAYLOAD_BYTES} bytes for ${task.path}`);
    }
    const now = this.clock.now();
    const name = task.name ?? randomUUID();
    const added = this.table.insert({
      name,
      path: task.path,
      payload,
      dueAt: now + nonNegativeMs(task.delayMs),
      now,
      reusableBefore: now - this.dedupeWindowMs,
    });
    if (!added) this.log.debug('task name taken, not queued again', { task: name });
    else if (nonNegativeMs(task.delayMs) === 0) this.wake();
  }

  /** Begins dispatching; tasks a killed process left running become due again. */
  start(): void {
    if (this.started) return;
    this.started = true;
    const requeued = this.table.requeueRunning(this.clock.now(), new Set(this.running.keys()));
    if (requeued > 0) this.log.warn('tasks interrupted by a restart are due again', { requeued });
    this.wake();
  }

  /** Takes no new task, and resolves once the running ones have finished (SIGTERM). */
  async stop(): Promise<void> {
    this.started = false;
    clearTimeout(this.timer);
    this.timer = undefined;
    await Promise.all(this.running.values());
  }

  /**
   * Resolves when no task is due or running. Tasks delayed into the future do not count; on a
   * stopped queue with due tasks it waits for the next start.
   */
  idle(): Promise<void> {
    return new Promise((resolve) => {
      this.idleWaiters.push(resolve);
      this.checkIdle();
    });
  }

  counts(): { pending: number; running: number; dead: number } {
    const { pending, running, dead } = this.table.counts();
    return { pending, running, dead };
  }

  /** Runs a tick soon, instead of at the next poll. */
  private wake(): void {
    if (this.started) this.schedule(0);
  }

  private schedule(ms: number): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.tick(), ms);
    this.timer.unref();
  }

  private tick(): void {
    this.timer = undefined;
    if (!this.started) return;
    try {
      const now = this.clock.now();
      this.prune(now);
      for (const row of this.table.claimDue(now, this.concurrency - this.running.size)) {
        this.begin(row);
      }
    } catch (error) {
      this.log.error('task queue poll failed', { error });
    }
    this.checkIdle();
    if (this.started && !this.timer) this.schedule(this.pollMs);
  }

  private prune(now: number): void {
    if (now - this.lastPruneAt < Math.min(PRUNE_EVERY_MS, this.dedupeWindowMs)) return;
    this.lastPruneAt = now;
    this.table.pruneDone(now - this.dedupeWindowMs);
  }

  private begin(row: ClaimedRow): void {
    const attempt = row.attempts;
    const log = this.log.with({ task: row.name, path: row.path, attempt });
    const run = this.attempt(row)
      .then((outcome) => this.record(row, outcome, log))
      .catch((error: unknown) => log.error('recording a task outcome failed', { error }))
      .finally(() => {
        this.running.delete(row.name);
        this.checkIdle();
        this.wake();
      });
    this.running.set(row.name, run);
  }

  private async attempt(row: ClaimedRow): Promise<Outcome> {
    const payload = parsePayload(row.payload);
    if (!payload) return { kind: 'unreadable' };
    try {
      const answer = await this.dispatch({
        path: row.path,
        payload,
        name: row.name,
        attempt: row.attempts,
      });
      return { kind: 'answer', ...answer };
    } catch (error) {
      return { kind: 'thrown', error };
    }
  }

  private record(row: ClaimedRow, outcome: Outcome, log: Logger): void {
    const now = this.clock.now();
    const attempt = row.attempts;
    if (succeeded(outcome)) {
      this.table.complete(row.name, attempt, now);
      log.debug('task done');
      return;
    }
    const reason = describeOutcome(outcome);
    if (outcome.kind === 'unreadable' || attempt >= this.maxAttempts) {
      this.table.bury(row.name, attempt, reason, now);
      log.error('task dead-lettered', { reason });
      return;
    }
    const delay = retryDelayMs(outcome, attempt, this.backoff);
    this.table.reschedule(row.name, attempt, now + delay, reason, now);
    const fields = { reason, retryInMs: delay };
    log.warn(
      'task failed, will retry',
      outcome.kind === 'thrown' ? { ...fields, error: outcome.error } : fields,
    );
  }

  private checkIdle(): void {
    if (this.idleWaiters.length === 0) return;
    if (this.running.size > 0 || this.table.hasDue(this.clock.now())) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const resolve of waiters) resolve();
  }
}
