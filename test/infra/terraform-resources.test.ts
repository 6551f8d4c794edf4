import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadServiceTerraform, runtimeMember } from './service-terraform.js';
import { type Block, blocks, nested, ref, Terraform } from './terraform.js';

/**
 * The resources around the Cloud Run service in Terraform: its Cloud Tasks queue, its secrets,
 * the Pub/Sub topic Gmail publishes to, and what the configuration as a whole must hold.
 */

const ROOT = join(import.meta.dirname, '..', '..');

let tf: Terraform;
/** The Cloud Run container's env entries, by name. */
let envEntries: Map<string, Block>;

beforeAll(async () => {
  ({ tf, envEntries } = await loadServiceTerraform());
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
        member: runtimeMember(tf),
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
      ).toEqual([runtimeMember(tf)]);
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
