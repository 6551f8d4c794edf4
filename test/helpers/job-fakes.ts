import type { User } from '../../src/domain/model.js';
import type { Mailbox, Task } from '../../src/domain/ports.js';
import type { JobDeps } from '../../src/jobs/job-deps.js';
import { openDatabase } from '../../src/local/sqlite/open-database.js';
import { SqliteStore } from '../../src/local/sqlite/sqlite-store.js';
import { silentLogger } from '../../src/log.js';

/** A mailbox that records untrash and stop calls; `fail` makes one throw. */
export class RecordingMailbox {
  readonly untrashed: string[][] = [];
  stopped = 0;
  fail: Partial<Record<'untrash' | 'stop', Error>> = {};

  async untrash(ids: readonly string[]): Promise<void> {
    if (this.fail.untrash) throw this.fail.untrash;
    this.untrashed.push([...ids]);
  }

  async stop(): Promise<void> {
    if (this.fail.stop) throw this.fail.stop;
    this.stopped++;
  }
}

/** A Mailbox made of the given methods; any other method throws when called. */
export function mailboxOf(part: object): Mailbox {
  return new Proxy(part, {
    get(target, key, receiver) {
      const own = Reflect.get(target, key, receiver);
      if (typeof own === 'function') return own.bind(target);
      // Not a thenable: `await mailboxFor(user)` must give the mailbox itself.
      if (key === 'then') return undefined;
      return () => {
        throw new Error(`Mailbox.${String(key)} is not used here`);
      };
    },
  }) as Mailbox;
}

/** JobDeps over an in-memory SqliteStore, a queue that only collects, and one mailbox. */
export function fakeJobDeps(recording: RecordingMailbox, now = 1_800_000_000_000) {
  const mailbox = mailboxOf(recording);
  const store = new SqliteStore(openDatabase(':memory:'));
  const queued: Task[] = [];
  const opened: User[] = [];
  const deps: JobDeps = {
    store,
    queue: { enqueue: async (task) => void queued.push(task) },
    clock: { now: () => now },
    ids: { runId: () => 'R'.repeat(22) },
    log: silentLogger,
    mailboxFor: async (user) => {
      opened.push(user);
      return mailbox;
    },
    classifierFor: async () => {
      throw new Error('not used');
    },
    scanStrategy: 'by-message',
    watchTopic: undefined,
  };
  return { deps, store, queued, opened };
}
