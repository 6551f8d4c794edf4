import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import {
  DEFAULT_PROJECT_UNITS_PER_MINUTE,
  DEFAULT_USER_UNITS_PER_MINUTE,
  GMAIL_UNIT_TABLES,
  type GmailUnitTable,
  QUOTA_TABLES,
} from './domain/gmail-quota.js';
import { DEFAULT_LLM_PRICES } from './domain/llm-prices.js';
import { DEFAULT_PROJECT_UNITS_PER_DAY } from './domain/quota-day.js';

/**
 * The only reader of process.env. Every variable of the deployment contract is parsed here,
 * once, into a frozen Config; a bad value stops start-up with a message naming the variable.
 */

const optionalString = z
  .string()
  .trim()
  .transform((value) => (value === '' ? undefined : value))
  .optional();

const url = z
  .string()
  .trim()
  .refine((value) => URL.canParse(value) && /^https?:$/.test(new URL(value).protocol), {
    message: 'must be an http(s) URL',
  });

const baseUrl = url
  .refine((value) => !value.endsWith('/'), { message: 'must not end with a slash' })
  .optional();

const integer = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

/** `{"model": {"input": 0.05, "cachedInput": 0.005, "output": 0.4}}`, USD per 1M tokens. */
const priceTable = z
  .string()
  .trim()
  .transform((value, ctx) => {
    try {
      return JSON.parse(value) as unknown;
    } catch {
      ctx.addIssue({ code: 'custom', message: 'must be JSON' });
      return z.NEVER;
    }
  })
  .pipe(
    z.record(
      z.string().min(1),
      z
        .object({
          input: z.number().min(0),
          cachedInput: z.number().min(0).optional(),
          output: z.number().min(0),
        })
        .strict(),
    ),
  )
  .optional();

const envSchema = z
  .object({
    MODE: z.enum(['local', 'gcp']).default('local'),
    PORT: integer(1, 65535).default(8080),
    PUBLIC_URL: url.optional(),
    DATA_DIR: z.string().trim().min(1).default('./.data'),
    LOG_LEVEL: z.enum(['debug', 'info', 'warning', 'error']).default('info'),

    GOOGLE_CLIENT_ID: optionalString,
    GOOGLE_CLIENT_SECRET: optionalString,
    GOOGLE_API_BASE_URL: baseUrl,

    OPENAI_BASE_URL: baseUrl,
    OPENAI_MODEL: z.string().trim().min(1).default('gpt-5-nano'),
    OPENAI_TIMEOUT_MS: integer(1_000, 600_000).default(60_000),
    /** Prices per model (USD per 1M tokens), merged over the default table. */
    OPENAI_PRICES: priceTable,

    PUSH_VERIFICATION_TOKEN: optionalString,
    /** Local mode with real Gmail: pull notifications from this subscription (no public URL). */
    PUBSUB_SUBSCRIPTION: optionalString.refine(
      (value) => value === undefined || /^projects\/[^/]+\/subscriptions\/[^/]+$/.test(value),
      { message: 'must be projects/PROJECT/subscriptions/NAME' },
    ),
    PUBSUB_EMULATOR_HOST: optionalString,

    GMAIL_QUOTA_TABLE: z.enum(QUOTA_TABLES).default('2026'),
    GMAIL_USER_UNITS_PER_MINUTE: integer(1, 1_000_000).optional(),
    GMAIL_PROJECT_UNITS_PER_MINUTE: integer(1, 100_000_000).optional(),
    GMAIL_PROJECT_UNITS_PER_DAY: integer(1, 100_000_000_000).default(DEFAULT_PROJECT_UNITS_PER_DAY),

    DEMO_MAILBOX_SIZE: integer(0, 200_000).default(2_000),
    DEMO_SEED: integer(0, 2 ** 31 - 1).default(42),
    SCAN_STRATEGY: z.enum(['by-sender', 'by-message']).default('by-sender'),

    GOOGLE_CLOUD_PROJECT: optionalString,
    CLOUD_TASKS_LOCATION: optionalString,
    CLOUD_TASKS_QUEUE: optionalString,
    TASKS_INVOKER_SERVICE_ACCOUNT: optionalString,
    PUSH_SERVICE_ACCOUNT: optionalString,
    PUSH_AUDIENCE: optionalString,
    PUBSUB_TOPIC: optionalString,
    KEYRING_SECRET: optionalString,
    FIRESTORE_DATABASE: z.string().trim().min(1).default('(default)'),
    TASKS_AUDIENCE: optionalString,
    CRON_SERVICE_ACCOUNT: optionalString,
    CLOUD_TASKS_MAX_ATTEMPTS: integer(1, 10_000).default(100),
    PUSH_MAX_DELIVERY_ATTEMPTS: integer(5, 100).default(10),

    /** Local mode: the bearer token of `GET /api/stats`; unset, nobody may read it. */
    // Any length: the operator chooses it (a long random one, as the README says).
    OPERATOR_TOKEN: optionalString,
    /** gcp mode: accounts (service accounts or people) whose OIDC token may read `/api/stats`. */
    OPERATOR_EMAILS: optionalString.refine(
      (value) =>
        value === undefined || value.split(',').every((e) => /^[^@\s]+@[^@\s]+$/.test(e.trim())),
      { message: 'must be a comma-separated list of email addresses' },
    ),
  })
  .superRefine((env, ctx) => {
    if ((env.GOOGLE_CLIENT_ID === undefined) !== (env.GOOGLE_CLIENT_SECRET === undefined)) {
      const missing =
        env.GOOGLE_CLIENT_ID === undefined ? 'GOOGLE_CLIENT_ID' : 'GOOGLE_CLIENT_SECRET';
      ctx.addIssue({
        code: 'custom',
        path: [missing],
        message: 'GOOGLE_CLIENT_ID and GOOGLE_CLIENT_SECRET are set together or not at all',
      });
    }
    if (env.MODE !== 'gcp') return;
    for (const name of GCP_REQUIRED) {
      if (env[name] === undefined) {
        ctx.addIssue({ code: 'custom', path: [name], message: 'is required when MODE=gcp' });
      }
    }
  });

const GCP_REQUIRED = [
  'GOOGLE_CLIENT_ID',
  'GOOGLE_CLIENT_SECRET',
  'PUBLIC_URL',
  'GOOGLE_CLOUD_PROJECT',
  'CLOUD_TASKS_LOCATION',
  'CLOUD_TASKS_QUEUE',
  'TASKS_INVOKER_SERVICE_ACCOUNT',
  'PUSH_SERVICE_ACCOUNT',
  'PUBSUB_TOPIC',
  'KEYRING_SECRET',
] as const;

export type Env = Readonly<Record<string, string | undefined>>;

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/** Reads the environment (process.env by default) into a frozen Config, or throws ConfigError. */
export function loadConfig(env: Env = process.env) {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => {
      const name = issue.path.join('.') || '(environment)';
      return `  ${name}: ${issue.message}${describeValue(name, env[name])}`;
    });
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  const publicUrl = (e.PUBLIC_URL ?? `http://localhost:${e.PORT}`).replace(/\/+$/, '');
  const simulated = e.GOOGLE_CLIENT_ID === undefined && e.GOOGLE_API_BASE_URL === undefined;
  return deepFreeze({
    mode: e.MODE,
    port: e.PORT,
    publicUrl,
    dataDir: e.DATA_DIR,
    logLevel: e.LOG_LEVEL,
    google: {
      clientId: e.GOOGLE_CLIENT_ID ?? 'demo-client.apps.googleusercontent.com',
      clientSecret: e.GOOGLE_CLIENT_SECRET ?? 'demo-client-secret',
      /** Undefined means Google itself; in demo mode the app serves a simulated Google. */
      apiBaseUrl: e.GOOGLE_API_BASE_URL,
      /** No Google client configured: serve the simulated Google with a demo mailbox. */
      simulated,
      redirectUri: `${publicUrl}/auth/google/callback`,
    },
    openai: {
      baseUrl: e.OPENAI_BASE_URL,
      model: e.OPENAI_MODEL,
      timeoutMs: e.OPENAI_TIMEOUT_MS,
      prices: { ...DEFAULT_LLM_PRICES, ...e.OPENAI_PRICES },
    },
    push: {
      // Demo mode's simulated Gmail pushes to this process: a per-process token unless one is set.
      verificationToken:
        e.PUSH_VERIFICATION_TOKEN ??
        (simulated ? randomBytes(24).toString('base64url') : undefined),
      /** The topic Gmail's watch publishes to (projects/P/topics/T); none means no watch. */
      topic: e.PUBSUB_TOPIC,
      subscription: e.PUBSUB_SUBSCRIPTION,
      emulatorHost: e.PUBSUB_EMULATOR_HOST,
    },
    gmailQuota: {
      table: e.GMAIL_QUOTA_TABLE,
      units: GMAIL_UNIT_TABLES[e.GMAIL_QUOTA_TABLE] as GmailUnitTable,
      userUnitsPerMinute:
        e.GMAIL_USER_UNITS_PER_MINUTE ?? DEFAULT_USER_UNITS_PER_MINUTE[e.GMAIL_QUOTA_TABLE],
      projectUnitsPerMinute: e.GMAIL_PROJECT_UNITS_PER_MINUTE ?? DEFAULT_PROJECT_UNITS_PER_MINUTE,
      /** Full scans that do not fit what is left of the day wait for the next (quota-day.ts). */
      projectUnitsPerDay: e.GMAIL_PROJECT_UNITS_PER_DAY,
    },
    operators: {
      token: e.OPERATOR_TOKEN,
      emails: (e.OPERATOR_EMAILS ?? '')
        .split(',')
        .map((email) => email.trim().toLowerCase())
        .filter((email) => email !== ''),
    },
    demo: { mailboxSize: e.DEMO_MAILBOX_SIZE, seed: e.DEMO_SEED },
    /** by-sender: Gmail search covers the mailbox and only samples are read, where the
     * classifier allows it; by-message: every message is read. */
    scanStrategy: e.SCAN_STRATEGY,
    gcp:
      e.MODE === 'gcp'
        ? {
            project: e.GOOGLE_CLOUD_PROJECT!,
            tasksLocation: e.CLOUD_TASKS_LOCATION!,
            tasksQueue: e.CLOUD_TASKS_QUEUE!,
            tasksInvokerServiceAccount: e.TASKS_INVOKER_SERVICE_ACCOUNT!,
            pushServiceAccount: e.PUSH_SERVICE_ACCOUNT!,
            pushAudience: e.PUSH_AUDIENCE ?? `${publicUrl}/push/gmail`,
            pubsubTopic: e.PUBSUB_TOPIC!,
            keyringSecret: e.KEYRING_SECRET!,
            firestoreDatabase: e.FIRESTORE_DATABASE,
            /** The OIDC audience of task and cron calls: the service's own URL by default. */
            tasksAudience: e.TASKS_AUDIENCE ?? publicUrl,
            cronServiceAccount: e.CRON_SERVICE_ACCOUNT ?? e.TASKS_INVOKER_SERVICE_ACCOUNT!,
            /** The queue's max_attempts and the push subscription's max_delivery_attempts:
             * a failure on the last attempt is recorded as dead work (dead-work.ts). */
            tasksMaxAttempts: e.CLOUD_TASKS_MAX_ATTEMPTS,
            pushMaxDeliveryAttempts: e.PUSH_MAX_DELIVERY_ATTEMPTS,
          }
        : undefined,
  });
}

export type Config = ReturnType<typeof loadConfig>;

/** Shows a rejected value to help the operator, except for variables that hold secrets. */
function describeValue(name: string, value: string | undefined): string {
  if (value === undefined) return ' (not set)';
  if (/SECRET|TOKEN|KEY/.test(name) || value.length > 80) return '';
  return ` (got "${value}")`;
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}
