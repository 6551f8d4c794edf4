import { createHash } from 'node:crypto';
import { Hono } from 'hono';
import {
  DEFAULT_PROJECT_UNITS_PER_MINUTE,
  DEFAULT_USER_UNITS_PER_MINUTE,
  GMAIL_UNIT_TABLES,
  type GmailUnitTable,
  type QuotaTableName,
} from '../../domain/gmail-quota.js';
import { batchHandler } from './gmail-batch-route.js';
import { gmailCall } from './gmail-call.js';
import { historyRoutes } from './gmail-history-routes.js';
import { messageRoutes } from './gmail-message-routes.js';
import { type GeneratedMailbox, generateMailbox, type MailboxShape } from './mailbox-generator.js';
import { SimOAuth, type SimOAuthClient } from './oauth/sim-oauth.js';
import { SimAccount } from './sim-account.js';
import { SimFaults } from './sim-faults.js';
import { SimNotifier } from './sim-notifier.js';
import { SimQuota } from './sim-quota.js';
import { SimStats } from './sim-stats.js';
import type { SimMessage } from './sim-types.js';

export interface SimulatedGoogleOptions {
  /** OAuth clients the simulated Google knows. */
  readonly clients: readonly SimOAuthClient[];
  readonly quotaTable?: QuotaTableName;
  /** Overrides the table's per-user budget (units per rolling minute). */
  readonly userUnitsPerMinute?: number;
  readonly projectUnitsPerMinute?: number;
  /** Gmail answers rate limits with 429 or 403 (userRateLimitExceeded); 429 by default. */
  readonly rateLimitStatus?: 429 | 403;
  /** More parallel calls per user than this get 429 "Too many concurrent requests". */
  readonly maxConcurrentPerUser?: number;
  /** Gmail sends at most one notification per user per interval (1 s); 0 sends every one. */
  readonly notificationIntervalMs?: number;
  readonly accessTokenTtlSeconds?: number;
  readonly now?: () => number;
  /** Seeds injected faults. */
  readonly seed?: number;
}

export interface AccountSpec {
  readonly email: string;
  /** Google's stable user id; derived from the address when absent. */
  readonly sub?: string;
  /** A generated mailbox, or the size, seed and shape to generate one (empty by default). */
  readonly mailbox?:
    | GeneratedMailbox
    | { readonly size: number; readonly seed?: number; readonly shape?: MailboxShape };
}

/**
 * Google as the service sees it: OAuth and OpenID at Google's paths, Gmail v1 REST and batch,
 * quota, faults on demand and push notifications. Serve `app` at a base URL and point the real
 * client libraries at it.
 */
export class SimulatedGoogle {
  readonly app = new Hono();
  readonly oauth: SimOAuth;
  readonly faults: SimFaults;
  readonly quota: SimQuota;
  readonly stats = new SimStats();
  readonly notifier: SimNotifier;
  readonly units: GmailUnitTable;
  private readonly accounts = new Map<string, SimAccount>();
  private readonly now: () => number;

  constructor(options: SimulatedGoogleOptions) {
    this.now = options.now ?? Date.now;
    const table = options.quotaTable ?? '2026';
    this.units = GMAIL_UNIT_TABLES[table];
    this.faults = new SimFaults(options.seed ?? 1);
    this.quota = new SimQuota({
      units: this.units,
      userUnitsPerMinute: options.userUnitsPerMinute ?? DEFAULT_USER_UNITS_PER_MINUTE[table],
      projectUnitsPerMinute: options.projectUnitsPerMinute ?? DEFAULT_PROJECT_UNITS_PER_MINUTE,
      rateLimitStatus: options.rateLimitStatus ?? 429,
      now: this.now,
    });
    this.notifier = new SimNotifier(this.now, options.notificationIntervalMs ?? 1_000);
    this.oauth = new SimOAuth(
      {
        clients: [...options.clients],
        now: this.now,
        ...(options.accessTokenTtlSeconds
          ? { accessTokenTtlSeconds: options.accessTokenTtlSeconds }
          : {}),
      },
      {
        find: (email) => this.accounts.get(email.toLowerCase()),
        defaultAccount: () => {
          const first = this.accounts.values().next().value;
          if (!first) throw new Error('the simulated Google has no account');
          return first;
        },
      },
    );

    const call = gmailCall({
      account: (email) => this.accounts.get(email.toLowerCase()),
      grantFor: (token) => this.oauth.grantFor(token),
      quota: this.quota,
      faults: this.faults,
      stats: this.stats,
      now: this.now,
      maxConcurrentPerUser: options.maxConcurrentPerUser,
    });
    const gmail = new Hono();
    messageRoutes(this.faults, this.now)(gmail, call);
    historyRoutes(this.now, (topic) => this.notifier.hasTopic(topic), this.faults)(gmail, call);

    this.app.route('/', this.oauth.routes);
    this.app.route('/gmail/v1/users', gmail);
    this.app.post(
      '/batch/gmail/v1',
      batchHandler(async (request, env) => this.app.fetch(request, env)),
    );
  }

  addAccount(spec: AccountSpec): SimAccount {
    const email = spec.email.toLowerCase();
    if (this.accounts.has(email)) throw new Error(`account ${email} exists`);
    const mailbox =
      spec.mailbox && 'messages' in spec.mailbox
        ? spec.mailbox
        : generateMailbox({
            seed: spec.mailbox?.seed ?? 1,
            size: spec.mailbox?.size ?? 0,
            shape: spec.mailbox?.shape,
            ownerEmail: email,
            now: this.now(),
          });
    const account = new SimAccount(email, spec.sub ?? subFor(email), mailbox);
    account.onChange((changed, record) => this.notifier.changed(changed, record));
    this.accounts.set(email, account);
    return account;
  }

  account(email: string): SimAccount {
    const account = this.accounts.get(email.toLowerCase());
    if (!account) throw new Error(`no simulated account ${email}`);
    return account;
  }

  /** A message arrives in a mailbox now (history messageAdded, and a notification if watched). */
  deliver(email: string, message: SimMessage): void {
    this.account(email).insert(message);
  }
}

/** A 21-digit numeric id, stable per address, shaped like Google's `sub`. */
function subFor(email: string): string {
  const digits = BigInt(`0x${createHash('sha256').update(email).digest('hex').slice(0, 16)}`);
  return `1${digits.toString().padStart(20, '0').slice(0, 20)}`;
}
