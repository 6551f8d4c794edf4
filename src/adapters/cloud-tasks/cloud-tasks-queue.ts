import { createHash } from 'node:crypto';
import type { CloudTasksClient } from '@google-cloud/tasks';
import type { Clock, Task, TaskQueue } from '../../domain/ports.js';

/** The call this adapter makes; a CloudTasksClient has it. */
export type TaskCreator = Pick<CloudTasksClient, 'createTask'>;

export interface CloudTasksQueueOptions {
  readonly client: TaskCreator;
  readonly project: string;
  readonly location: string;
  readonly queue: string;
  /** The service's own URL (PUBLIC_URL): a task POSTs to it plus the task's path. */
  readonly serviceUrl: string;
  /** The service account whose OIDC token Cloud Tasks attaches; it may invoke the service. */
  readonly invokerServiceAccount: string;
  /** The token's audience (default the service URL), which the task endpoints check. */
  readonly audience?: string | undefined;
  readonly clock?: Clock;
  readonly sleep?: (ms: number) => Promise<void>;
}

/**
 * How long Cloud Tasks waits for a task endpoint to answer. A batch reads 500 messages'
 * metadata at 20 quota units each: 10,000 units, 100 s of one user's 6,000 units a minute
 * when it has the budget to itself, then classifies and trashes. Allowing for other batches of
 * the same user sharing that budget, 15 minutes; Cloud Run's request timeout must be at least
 * as long (Cloud Tasks allows 15 s to 30 min).
 */
export const DISPATCH_DEADLINE_SECONDS = 15 * 60;

/** Cloud Tasks refuses tasks over 100 KB; tasks carry ids, never data. */
const MAX_BODY_BYTES = 100 * 1024;
const ALREADY_EXISTS = 6;
/** DEADLINE_EXCEEDED, RESOURCE_EXHAUSTED, UNAVAILABLE: worth another try. */
const TRANSIENT = new Set([4, 8, 14]);
const ATTEMPTS = 3;

/**
 * The TaskQueue on Cloud Tasks: HTTP-target tasks to the service's own task endpoints, with an
 * OIDC token for the invoker service account. A named task gets a hashed, deterministic task
 * id, so adding it again while it is queued or recently ran answers ALREADY_EXISTS, which is
 * success here (Cloud Tasks dedupes names for about an hour); the hash also keeps names from
 * being sequential, which Cloud Tasks handles poorly.
 */
export class CloudTasksQueue implements TaskQueue {
  private readonly parent: string;
  private readonly clock: Clock;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(private readonly options: CloudTasksQueueOptions) {
    const { project, location, queue } = options;
    this.parent = `projects/${project}/locations/${location}/queues/${queue}`;
    this.clock = options.clock ?? { now: () => Date.now() };
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  async enqueue(task: Task): Promise<void> {
    const body = Buffer.from(JSON.stringify(task.payload));
    if (body.length > MAX_BODY_BYTES) {
      throw new Error(`task payload over ${MAX_BODY_BYTES} bytes for ${task.path}`);
    }
    const delayMs = Math.max(0, task.delayMs ?? 0);
    const request = {
      parent: this.parent,
      task: {
        ...(task.name ? { name: `${this.parent}/tasks/${taskId(task.name)}` } : {}),
        httpRequest: {
          url: `${this.options.serviceUrl}${task.path}`,
          httpMethod: 'POST' as const,
          headers: { 'Content-Type': 'application/json' },
          body,
          oidcToken: {
            serviceAccountEmail: this.options.invokerServiceAccount,
            audience: this.options.audience ?? this.options.serviceUrl,
          },
        },
        dispatchDeadline: { seconds: DISPATCH_DEADLINE_SECONDS },
        ...(delayMs > 0 ? { scheduleTime: timestamp(this.clock.now() + delayMs) } : {}),
      },
    };
    // Only a named task is safe to send twice: a retried unnamed one could run twice.
    const attempts = task.name ? ATTEMPTS : 1;
    for (let attempt = 1; ; attempt++) {
      try {
        await this.options.client.createTask(request);
        return;
      } catch (error) {
        const code = (error as { code?: unknown }).code;
        if (code === ALREADY_EXISTS) return;
        if (attempt >= attempts || typeof code !== 'number' || !TRANSIENT.has(code)) throw error;
        await this.sleep(200 * 2 ** attempt);
      }
    }
  }
}

/** A task id from a task name: a hash first (spread, deterministic), then the name, readable. */
export function taskId(name: string): string {
  const hash = createHash('sha256').update(name).digest('hex').slice(0, 32);
  return `${hash}-${name.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 100)}`;
}

function timestamp(epochMs: number): { seconds: number; nanos: number } {
  const ms = Math.ceil(epochMs);
  return { seconds: Math.floor(ms / 1000), nanos: (ms % 1000) * 1_000_000 };
}
