import { PullSubscriber } from '../adapters/pubsub/pull-subscriber.js';
import type { Config } from '../config.js';
import type { KeyRing } from '../domain/ports.js';
import type { JobDeps } from '../jobs/job-deps.js';
import { acceptNotification, decodeNotification } from '../jobs/sync-notification.js';
import type { Logger } from '../log.js';
import { LocalCron } from './local-cron.js';

export interface LocalNotifications {
  start(): void;
  stop(): Promise<void>;
}

/**
 * What keeps a mailbox clean in local mode besides the push endpoint: the hourly cron (watch
 * renewals, catch-up syncs) and, with PUBSUB_SUBSCRIPTION, a pull subscriber that needs no
 * public URL and hands each notification to the same code as a push.
 */
export function localNotifications(options: {
  readonly config: Config;
  readonly jobs: JobDeps;
  readonly keyRing: KeyRing;
  readonly log: Logger;
  /** Calls the cron endpoint as the scheduler would (with the task caller's credentials). */
  readonly callCron: () => Promise<Response>;
}): LocalNotifications {
  const { config, jobs, keyRing, log } = options;
  if (jobs.watchTopic === undefined) {
    log.info('PUBSUB_TOPIC is not set: no Gmail watch; catch-up syncs keep mailboxes clean');
  }
  const cron = new LocalCron(options.callCron, log);
  const { subscription, emulatorHost } = config.push;
  const subscriber =
    subscription === undefined
      ? undefined
      : new PullSubscriber({
          subscription,
          emulatorHost,
          log,
          handle: async (data) => {
            const notification = decodeNotification(data);
            // Redelivering what is not a notification would never make it one: acknowledge it.
            if (!notification) return log.warn('pulled a message that is not a Gmail notification');
            await acceptNotification({ ...jobs, keyRing }, notification);
          },
        });
  return {
    start: () => {
      cron.start();
      subscriber?.start();
    },
    stop: async () => {
      cron.stop();
      await subscriber?.stop();
    },
  };
}
