/**
 * Work the platform gives up on: a Cloud Tasks task whose last attempt failed (the queue's
 * `max_attempts`) and a Gmail notification whose last push delivery failed (the subscription
 * then dead-letters it). The handler knows it is the last attempt from the platform's own
 * counters (`X-CloudTasks-TaskRetryCount`, the envelope's `deliveryAttempt`), so it can
 * record it for the operator's stats. No user id, no address: the task's path and name only.
 */
export interface DeadWork {
  readonly source: 'task' | 'push';
  /** The task's name or the Pub/Sub message id: recording twice counts once. */
  readonly key: string;
  readonly path: string;
  readonly status: number;
  readonly attempts: number;
  readonly at: number;
}

export interface DeadWorkCounts {
  readonly since: number;
  readonly tasks: number;
  readonly pushes: number;
  readonly byPath: Readonly<Record<string, number>>;
  /** More were recorded than one read counts. */
  readonly truncated: boolean;
}

/** Where dead work is recorded (gcp mode: Firestore; the local queue counts its own). */
export interface DeadWorkLog {
  record(work: DeadWork): Promise<void>;
  countSince(since: number): Promise<DeadWorkCounts>;
}

/** Sums recorded dead work. */
export function countDeadWork(
  recorded: readonly Pick<DeadWork, 'source' | 'path'>[],
  since: number,
  truncated: boolean,
): DeadWorkCounts {
  const byPath: Record<string, number> = {};
  for (const work of recorded) byPath[work.path] = (byPath[work.path] ?? 0) + 1;
  return {
    since,
    tasks: recorded.filter((w) => w.source === 'task').length,
    pushes: recorded.filter((w) => w.source === 'push').length,
    byPath,
    truncated,
  };
}
