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
import { loadServiceTerraform, runtimeMember } from './service-terraform.js';
import { type Block, nested, ref, type Terraform } from './terraform.js';

const ROOT = join(import.meta.dirname, '..', '..');

let tf: Terraform;
let service: Block;
/** The Cloud Run container's env entries, by name. */
let envEntries: Map<string, Block>;

beforeAll(async () => {
  ({ tf, service, envEntries } = await loadServiceTerraform());
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
        member: runtimeMember(tf),
      },
    ]);
  });
});
