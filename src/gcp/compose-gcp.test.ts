import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { Firestore } from '@google-cloud/firestore';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CloudTasksFake, startCloudTasksFake } from '../../test/helpers/cloud-tasks-fake.js';
import {
  type SecretManagerFake,
  startSecretManagerFake,
} from '../../test/helpers/secret-manager-fake.js';
import { loadConfig } from '../config.js';
import { silentLogger } from '../log.js';
import { composeGcp } from './compose-gcp.js';

const GCP_ENV = {
  MODE: 'gcp',
  PUBLIC_URL: 'https://clean-that-up.example.run.app',
  GOOGLE_CLIENT_ID: 'client.apps.googleusercontent.com',
  GOOGLE_CLIENT_SECRET: 'secret',
  GOOGLE_CLOUD_PROJECT: 'demo-project',
  CLOUD_TASKS_LOCATION: 'europe-west1',
  CLOUD_TASKS_QUEUE: 'work',
  TASKS_INVOKER_SERVICE_ACCOUNT: 'tasks@demo-project.iam.gserviceaccount.com',
  PUSH_SERVICE_ACCOUNT: 'push@demo-project.iam.gserviceaccount.com',
  PUBSUB_TOPIC: 'projects/demo-project/topics/gmail',
  KEYRING_SECRET: 'key-ring',
};

describe('gcp configuration', () => {
  it('defaults the database, the task audience and the cron account', () => {
    expect(loadConfig(GCP_ENV).gcp).toMatchObject({
      firestoreDatabase: '(default)',
      tasksAudience: GCP_ENV.PUBLIC_URL,
      cronServiceAccount: GCP_ENV.TASKS_INVOKER_SERVICE_ACCOUNT,
      pushAudience: `${GCP_ENV.PUBLIC_URL}/push/gmail`,
    });
  });

  it('stops the service before it listens when gcp variables are missing, naming them', async () => {
    const root = join(import.meta.dirname, '..', '..');
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      cwd: root,
      env: { PATH: process.env.PATH, MODE: 'gcp', METADATA_SERVER_DETECTION: 'none' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk) => {
      stderr += String(chunk);
    });
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code).toBe(1);
    for (const name of ['GOOGLE_CLOUD_PROJECT', 'CLOUD_TASKS_QUEUE', 'KEYRING_SECRET']) {
      expect(stderr).toContain(`${name}: is required when MODE=gcp`);
    }
  }, 30_000);
});

describe('composeGcp', () => {
  let secrets: SecretManagerFake;
  let tasks: CloudTasksFake;
  beforeAll(async () => {
    [secrets, tasks] = await Promise.all([startSecretManagerFake(), startCloudTasksFake()]);
  });
  afterAll(async () => {
    await Promise.all([secrets?.close(), tasks?.close()]);
  });

  async function compose(secretPayload?: string) {
    const secret = `projects/demo-project/secrets/ring-${Math.random().toString(36).slice(2)}`;
    if (secretPayload !== undefined) secrets.addVersion(secret, secretPayload);
    // Never used: start-up fails on the key ring before anything reaches Firestore.
    const firestore = new Firestore({ projectId: 'demo-project', host: '127.0.0.1:9', ssl: false });
    const secretsClient = secrets.client();
    const tasksClient = tasks.client();
    try {
      return await composeGcp(loadConfig({ ...GCP_ENV, KEYRING_SECRET: secret }), silentLogger, {
        firestore,
        secrets: secretsClient,
        tasks: tasksClient,
      });
    } finally {
      await Promise.all([secretsClient.close(), tasksClient.close(), firestore.terminate()]);
    }
  }

  it('refuses to start when the key ring secret cannot be read, naming the secret', async () => {
    await expect(compose()).rejects.toThrow(
      /Secret Manager secret projects\/demo-project\/secrets\/ring-\w+\/versions\/latest cannot be read: 5 NOT_FOUND/,
    );
  });

  it('refuses to start when the secret does not hold a key ring', async () => {
    await expect(compose('{"keys": {}}')).rejects.toThrow(/key ring .* is invalid/);
  });
});
