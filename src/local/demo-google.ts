import type { Config } from '../config.js';
import { SimulatedGoogle } from './google/simulated-google.js';

/** The address of the demo mailbox's owner; example.com is reserved, so it reaches no one. */
export const DEMO_EMAIL = 'demo@example.com';
/** The Pub/Sub topic the demo's Gmail watch publishes to. */
export const DEMO_TOPIC = 'projects/demo/topics/gmail-notifications';

/**
 * Demo mode's Google: the simulated Google with one generated mailbox, the configured OAuth
 * client and the configured quota, so the demo behaves like a real account would.
 */
export function createDemoGoogle(config: Config): SimulatedGoogle {
  const google = new SimulatedGoogle({
    clients: [{ clientId: config.google.clientId, clientSecret: config.google.clientSecret }],
    quotaTable: config.gmailQuota.table,
    userUnitsPerMinute: config.gmailQuota.userUnitsPerMinute,
    projectUnitsPerMinute: config.gmailQuota.projectUnitsPerMinute,
  });
  google.addAccount({
    email: DEMO_EMAIL,
    mailbox: { size: config.demo.mailboxSize, seed: config.demo.seed },
  });
  const token = config.push.verificationToken;
  const query = token ? `?token=${encodeURIComponent(token)}` : '';
  google.notifier.setTopic(DEMO_TOPIC, {
    kind: 'push',
    url: `http://127.0.0.1:${config.port}/push/gmail${query}`,
  });
  return google;
}
