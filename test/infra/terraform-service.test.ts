import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Firestore } from '@google-cloud/firestore';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TaskCreator } from '../../src/adapters/cloud-tasks/cloud-tasks-queue.js';
import {
  type SecretVersions,
  secretVersionName,
} from '../../src/adapters/secret-manager/secret-manager-key-ring.js';
import { type Config, ConfigError, loadConfig } from '../../src/config.js';
import { composeGcp, type GcpService } from '../../src/gcp/compose-gcp.js';
import { silentLogger } from '../../src/log.js';
import { type LocalCerts, mintOidcToken, serveCerts } from '../helpers/oidc-tokens.js';
import { type Block, blocks, nested, ref, Terraform } from './terraform.js';

const ROOT = join(import.meta.dirname, '..', '..');

let tf: Terraform;
let service: Block;
/** The Cloud Run container's env entries, by name. */
let envEntries: Map<string, Block>;

beforeAll(async () => {
  tf = await Terraform.load();
  service = tf.resource('google_cloud_run_v2_service', 'app');
  const container = nested(service, 'template', 'containers');
  envEntries = new Map(blocks(container, 'env').map((entry) => [String(entry.name), entry]));
});

/** The service's environment as Cloud Run gives it; secrets get a stand-in value. */
function serviceEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, entry] of envEntries) {
    env[name] = 'value' in entry ? tf.resolve(entry.value) : 'secret-from-secret-manager';
  }
  return env;
}

/** Whatever src/config.ts requires with MODE=gcp, read from its own error message. */
function requiredInGcpMode(): string[] {
  try {
    loadConfig({ MODE: 'gcp' });
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return [...error.message.matchAll(/^ {2}(\w+): is required when MODE=gcp/gm)].map(
      (match) => match[1]!,
    );
  }
  throw new Error('loadConfig accepted MODE=gcp without any variable');
}

const runtimeMember = () => `serviceAccount:${tf.value('google_service_account.runtime.email')}`;

describe('the Cloud Run service in Terraform', () => {
  it('sets every variable src/config.ts requires with MODE=gcp', () => {
    const required = requiredInGcpMode();
    expect(required).toEqual(expect.arrayContaining(['GOOGLE_CLOUD_PROJECT', 'KEYRING_SECRET']));
    expect(required.filter((name) => !envEntries.has(name))).toEqual([]);
    expect(tf.resolve(envEntries.get('MODE')?.value)).toBe('gcp');
  });

  it('sets only variables src/config.ts reads', () => {
    const source = readFileSync(join(ROOT, 'src', 'config.ts'), 'utf8');
    const known = new Set([...source.matchAll(/^ {4}([A-Z][A-Z0-9_]+):/gm)].map((m) => m[1]));
    expect([...envEntries.keys()].filter((name) => !known.has(name))).toEqual([]);
  });

  it('gives the service a configuration that loadConfig accepts and that names the deployed resources', () => {
    const config = loadConfig(serviceEnv());
    const project = tf.projectId;
    expect(config.mode).toBe('gcp');
    expect(config.gcp).toMatchObject({
      project,
      tasksQueue: tf.value('google_cloud_tasks_queue.work.name'),
      tasksLocation: tf.value('google_cloud_tasks_queue.work.location'),
      pubsubTopic: tf.value('google_pubsub_topic.gmail.id'),
      firestoreDatabase: tf.value('google_firestore_database.main.name'),
    });
    expect(secretVersionName(project, config.gcp!.keyringSecret)).toBe(
      `${tf.value('google_secret_manager_secret.key_ring.id')}/versions/latest`,
    );
    expect(nested(service, 'template').service_account).toBe(
      ref('google_service_account.runtime.email'),
    );
  });

  it('waits for a batch task as long as Cloud Tasks does', async () => {
    const { DISPATCH_DEADLINE_SECONDS } = await import(
      '../../src/adapters/cloud-tasks/cloud-tasks-queue.js'
    );
    const timeout = String(nested(service, 'template').timeout);
    expect(timeout).toMatch(/^\d+s$/);
    expect(Number.parseInt(timeout, 10)).toBeGreaterThanOrEqual(DISPATCH_DEADLINE_SECONDS);
  });
});

describe('the service built from the Terraform environment', () => {
  const keyRing = () => {
    const key = () => randomBytes(32).toString('base64');
    return JSON.stringify({ version: 1, current: 'k1', keys: { k1: key() }, macRoot: key() });
  };
  let certs: LocalCerts;
  let config: Config;
  let gcp: GcpService;
  let firestore: Firestore;

  beforeAll(async () => {
    certs = await serveCerts();
    // Only the Google endpoints move to 127.0.0.1 (for the OIDC certificates); the rest is
    // exactly what Terraform sets.
    config = loadConfig({ ...serviceEnv(), GOOGLE_API_BASE_URL: certs.url });
    const keyRingVersion = `${tf.value('google_secret_manager_secret.key_ring.id')}/versions/latest`;
    const payload = Buffer.from(keyRing());
    const secrets = {
      accessSecretVersion: async ({ name }: { name: string }) => {
        if (name !== keyRingVersion) throw new Error(`5 NOT_FOUND: ${name}`);
        return [{ payload: { data: payload } }];
      },
      addSecretVersion: async () => {
        throw new Error('the service never writes secrets');
      },
    } as unknown as SecretVersions;
    const tasks = { createTask: async () => [{}] } as unknown as TaskCreator;
    // Never reached: every request below is decided before the store is read.
    firestore = new Firestore({ projectId: tf.projectId, host: '127.0.0.1:9', ssl: false });
    gcp = await composeGcp(config, silentLogger, { firestore, secrets, tasks });
  });

  afterAll(async () => {
    await gcp?.close();
    await firestore?.terminate();
    await certs?.close();
  });

  const pathOf = (url: string) => {
    expect(url.startsWith(`${config.publicUrl}/`)).toBe(true);
    return url.slice(config.publicUrl.length);
  };
  /** Whether the app has a route (not only middleware) for this method and path. */
  const mounts = (built: GcpService, method: string, path: string) =>
    built.app.routes.some((route) => route.method === method && route.path === path);
  const bearer = (audience: string, email: string) => ({
    authorization: `Bearer ${mintOidcToken(certs.key, { audience, email })}`,
  });

  it('has the route the push subscription posts to, and refuses it without a token', async () => {
    const push = nested(tf.resource('google_pubsub_subscription', 'gmail_push'), 'push_config');
    const path = pathOf(tf.resolve(push.push_endpoint));
    expect(mounts(gcp, 'POST', path)).toBe(true);
    const response = await gcp.app.request(path, { method: 'POST', body: '{}' });
    expect([401, 403]).toContain(response.status);
  });

  it('accepts the push subscription OIDC token (audience and account from Terraform)', async () => {
    const push = nested(tf.resource('google_pubsub_subscription', 'gmail_push'), 'push_config');
    const oidc = nested(push, 'oidc_token');
    const path = pathOf(tf.resolve(push.push_endpoint));
    const headers = bearer(tf.resolve(oidc.audience), tf.resolve(oidc.service_account_email));
    // Past the caller check, an empty object is a malformed envelope: 400, not 401/403.
    const response = await gcp.app.request(path, { method: 'POST', headers, body: '{}' });
    expect(response.status).toBe(400);

    const stranger = bearer(
      tf.resolve(oidc.audience),
      'someone@demo-project.iam.gserviceaccount.com',
    );
    const refused = await gcp.app.request(path, { method: 'POST', headers: stranger, body: '{}' });
    expect(refused.status).toBe(403);
  });

  it('has the route the scheduler job posts to, and refuses it without a token', async () => {
    const target = nested(
      tf.resource('google_cloud_scheduler_job', 'renew_watches'),
      'http_target',
    );
    expect(target.http_method).toBe('POST');
    const path = pathOf(tf.resolve(target.uri));
    // The cron module checks the caller before routing, so a 403 alone would not prove the route.
    expect(mounts(gcp, 'POST', path)).toBe(true);
    const response = await gcp.app.request(path, { method: 'POST' });
    expect([401, 403]).toContain(response.status);
  });

  it('accepts the scheduler job OIDC token (audience and account from Terraform)', async () => {
    const target = nested(
      tf.resource('google_cloud_scheduler_job', 'renew_watches'),
      'http_target',
    );
    const oidc = nested(target, 'oidc_token');
    const url = `${config.publicUrl}${pathOf(tf.resolve(target.uri))}`;
    const headers = bearer(tf.resolve(oidc.audience), tf.resolve(oidc.service_account_email));
    // The cron route's caller check; the route itself would go on to read Firestore.
    expect(await gcp.callers.cron.verify(new Request(url, { method: 'POST', headers }))).toBe(true);
    const push = bearer(tf.resolve(oidc.audience), config.gcp!.pushServiceAccount);
    expect(await gcp.callers.cron.verify(new Request(url, { method: 'POST', headers: push }))).toBe(
      false,
    );
  });

  it('lets the runtime account create tasks as the invoker the config names', () => {
    const actAs = Object.values(tf.resources('google_service_account_iam_member')).filter(
      (grant) => grant.role === 'roles/iam.serviceAccountUser',
    );
    expect(
      actAs.map((grant) => ({
        account: tf.resolve(grant.service_account_id),
        member: tf.resolve(grant.member),
      })),
    ).toEqual([
      {
        account: `projects/${tf.projectId}/serviceAccounts/${config.gcp!.tasksInvokerServiceAccount}`,
        member: runtimeMember(),
      },
    ]);
  });
});

describe('the Cloud Tasks queue in Terraform', () => {
  it('is the one queue the service is configured with, and the runtime account may enqueue on it', () => {
    const queues = tf.resources('google_cloud_tasks_queue');
    expect(Object.keys(queues)).toEqual(['work']);
    expect(envEntries.get('CLOUD_TASKS_QUEUE')?.value).toBe(
      ref('google_cloud_tasks_queue.work.name'),
    );
    expect(envEntries.get('CLOUD_TASKS_LOCATION')?.value).toBe(
      ref('google_cloud_tasks_queue.work.location'),
    );
    const enqueuers = Object.values(tf.resources('google_cloud_tasks_queue_iam_member'));
    expect(
      enqueuers.map((grant) => ({
        queue: tf.resolve(grant.name),
        role: grant.role,
        member: tf.resolve(grant.member),
      })),
    ).toEqual([
      {
        queue: tf.value('google_cloud_tasks_queue.work.name'),
        role: 'roles/cloudtasks.enqueuer',
        member: runtimeMember(),
      },
    ]);
  });

  it('lets Gmail quota, not Cloud Tasks or Cloud Run, bound the work', async () => {
    const quota = await import('../../src/domain/gmail-quota.js');
    const limits = nested(tf.resource('google_cloud_tasks_queue', 'work'), 'rate_limits');
    const perSecond = Number(tf.resolve(limits.max_dispatches_per_second));
    const concurrent = Number(tf.resolve(limits.max_concurrent_dispatches));
    // Cloud Tasks' own ceilings per queue.
    expect(perSecond).toBeLessThanOrEqual(500);
    expect(concurrent).toBeLessThanOrEqual(5_000);
    for (const table of quota.QUOTA_TABLES) {
      const units = quota.GMAIL_UNIT_TABLES[table];
      // The cheapest task that still calls Gmail: one messages.list page of a sender.
      const cheapest = units['users.messages.list'];
      const wanted = quota.DEFAULT_PROJECT_UNITS_PER_MINUTE / 60 / cheapest;
      // Dispatching keeps up with the quota spent on the cheapest tasks, or is at its ceiling.
      expect(perSecond, table).toBe(Math.min(500, Math.ceil(wanted)));
      // Enough users' tasks run at once to spend the whole project budget.
      const usersNeeded =
        quota.DEFAULT_PROJECT_UNITS_PER_MINUTE / quota.DEFAULT_USER_UNITS_PER_MINUTE[table];
      expect(concurrent, table).toBeGreaterThanOrEqual(usersNeeded);
    }
    // Cloud Run holds every task the queue may run at once.
    const service = tf.resource('google_cloud_run_v2_service', 'app');
    const template = nested(service, 'template');
    const perInstance = Number(tf.resolve(template.max_instance_request_concurrency));
    const instances = Number(tf.resolve(nested(template, 'scaling').max_instance_count));
    expect(perInstance * instances).toBeGreaterThanOrEqual(concurrent);
    const retry = nested(tf.resource('google_cloud_tasks_queue', 'work'), 'retry_config');
    expect(retry).toMatchObject({
      min_backoff: expect.any(String),
      max_backoff: expect.any(String),
    });
    expect(Number(tf.resolve(retry.max_attempts))).toBeGreaterThan(1);
  });
});

describe('the secrets in Terraform', () => {
  /** The secret resources the service reads: as secret env values or by name. */
  function secretsTheServiceReads(): Set<string> {
    const names = new Set<string>();
    for (const entry of envEntries.values()) {
      const references = [
        entry.value,
        ...blocks(entry, 'value_source').flatMap((source) =>
          blocks(source, 'secret_key_ref').map((ref) => ref.secret),
        ),
      ];
      for (const reference of references) {
        const resource = Terraform.referencedResource(reference);
        if (resource?.type === 'google_secret_manager_secret') names.add(resource.name);
      }
    }
    return names;
  }

  it('are all read by the service', () => {
    const declared = Object.keys(tf.resources('google_secret_manager_secret')).sort();
    expect(declared.length).toBeGreaterThanOrEqual(2);
    expect([...secretsTheServiceReads()].sort()).toEqual(declared);
  });

  it('are readable by the runtime account and by no one else', () => {
    const grants = ['iam_member', 'iam_binding', 'iam_policy'].flatMap((kind) =>
      Object.values(tf.resources(`google_secret_manager_secret_${kind}`)),
    );
    for (const name of secretsTheServiceReads()) {
      const onThis = grants.filter(
        (grant) => Terraform.referencedResource(grant.secret_id)?.name === name,
      );
      expect(
        onThis.map((grant) => grant.role),
        name,
      ).toEqual(['roles/secretmanager.secretAccessor']);
      const members = onThis.flatMap((grant) =>
        'members' in grant ? (grant.members as unknown[]) : [grant.member],
      );
      expect(
        members.map((member) => tf.resolve(member)),
        name,
      ).toEqual([runtimeMember()]);
    }
    // Nothing grants Secret Manager (or everything) on the whole project.
    const projectGrants = ['iam_member', 'iam_binding'].flatMap((kind) =>
      Object.values(tf.resources(`google_project_${kind}`)),
    );
    for (const grant of projectGrants) {
      expect(String(grant.role)).not.toMatch(/secretmanager|roles\/(owner|editor)$/);
    }
  });
});

describe('Pub/Sub in Terraform', () => {
  it('lets Gmail publish to the topic the service watches with, and pushes it to the service', () => {
    const publishers = Object.values(tf.resources('google_pubsub_topic_iam_member')).filter(
      (grant) => grant.member === 'serviceAccount:gmail-api-push@system.gserviceaccount.com',
    );
    expect(publishers.map((grant) => [tf.resolve(grant.topic), grant.role])).toEqual([
      [tf.resolve(envEntries.get('PUBSUB_TOPIC')?.value), 'roles/pubsub.publisher'],
    ]);
    const push = tf.resource('google_pubsub_subscription', 'gmail_push');
    expect(tf.resolve(push.topic)).toBe(tf.resolve(envEntries.get('PUBSUB_TOPIC')?.value));
    const oidc = nested(push, 'push_config', 'oidc_token');
    expect(tf.resolve(oidc.service_account_email)).toBe(
      tf.resolve(envEntries.get('PUSH_SERVICE_ACCOUNT')?.value),
    );
    expect(nested(push, 'expiration_policy').ttl).toBe('');
  });

  it('dead-letters refused notifications, with the grants the Pub/Sub service agent needs', () => {
    const push = tf.resource('google_pubsub_subscription', 'gmail_push');
    const deadLetter = nested(push, 'dead_letter_policy');
    const topic = tf.resolve(deadLetter.dead_letter_topic);
    expect(Number(tf.resolve(String(deadLetter.max_delivery_attempts)))).toBeGreaterThanOrEqual(5);
    const agent = `serviceAccount:service-${tf.value('data.google_project.this.number')}@gcp-sa-pubsub.iam.gserviceaccount.com`;
    const topicGrants = Object.values(tf.resources('google_pubsub_topic_iam_member'));
    expect(
      topicGrants.some(
        (grant) =>
          tf.resolve(grant.topic) === topic &&
          grant.role === 'roles/pubsub.publisher' &&
          tf.resolve(grant.member) === agent,
      ),
    ).toBe(true);
    const subscriptionGrants = Object.values(tf.resources('google_pubsub_subscription_iam_member'));
    expect(
      subscriptionGrants.some(
        (grant) =>
          tf.resolve(grant.subscription) === tf.value('google_pubsub_subscription.gmail_push.id') &&
          grant.role === 'roles/pubsub.subscriber' &&
          tf.resolve(grant.member) === agent,
      ),
    ).toBe(true);
    // A topic without a subscription drops what is published to it.
    const kept = Object.values(tf.resources('google_pubsub_subscription')).map((s) =>
      tf.resolve(s.topic),
    );
    expect(kept).toContain(topic);
  });
});

describe('the Terraform configuration', () => {
  it('enables every API the deployment uses', () => {
    const apis = String(tf.json.locals.apis);
    for (const api of [
      'run',
      'cloudtasks',
      'pubsub',
      'firestore',
      'secretmanager',
      'gmail',
      'artifactregistry',
      'cloudscheduler',
      'iam',
      'iamcredentials',
    ]) {
      expect(apis).toContain(`"${api}.googleapis.com"`);
    }
  });

  it('documents every variable and output', () => {
    const undocumented = [
      ...Object.entries(tf.json.variable).map(
        ([name, block]) => ['variable', name, block] as const,
      ),
      ...Object.entries(tf.json.output).map(([name, block]) => ['output', name, block] as const),
    ]
      .filter(([, , block]) => typeof block.description !== 'string' || block.description === '')
      .map(([kind, name]) => `${kind} ${name}`);
    expect(undocumented).toEqual([]);
  });

  it('pins the Google provider to a major version', () => {
    const versions = readFileSync(join(ROOT, 'terraform', 'versions.tf'), 'utf8');
    expect(versions).toMatch(/source\s*=\s*"hashicorp\/google"\s*\n\s*version\s*=\s*"~> \d+\.\d+"/);
  });
});
