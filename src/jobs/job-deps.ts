import type { User } from '../domain/model.js';
import type { Classifier, Clock, Ids, MailboxFactory, Store, TaskQueue } from '../domain/ports.js';
import type { Logger } from '../log.js';

/** What the use cases drive: ports only, so every mode runs the same jobs. */
export interface JobDeps {
  readonly store: Store;
  readonly queue: TaskQueue;
  readonly clock: Clock;
  readonly ids: Ids;
  readonly log: Logger;
  readonly mailboxFor: MailboxFactory;
  readonly classifierFor: (user: User) => Promise<Classifier>;
}

export const TASK_PATHS = {
  plan: '/tasks/plan',
  batch: '/tasks/batch',
} as const;

export function planTask(runId: string) {
  return { name: `plan-${runId}`, path: TASK_PATHS.plan, payload: { runId } };
}

export function batchTask(runId: string, batchNo: number) {
  return { name: `batch-${runId}-${batchNo}`, path: TASK_PATHS.batch, payload: { runId, batchNo } };
}
