import { randomBytes } from 'node:crypto';
import type { Firestore } from '@google-cloud/firestore';
import { loadConfig } from '../../src/config.js';
import type { Clock } from '../../src/domain/ports.js';
import { composeGcp, type GcpService } from '../../src/gcp/compose-gcp.js';
import { silentLogger } from '../../src/log.js';
import { type CloudTasksFake, startCloudTasksFake } from './cloud-tasks-fake.js';
import { HttpClient } from './http-client.js';
import { listen } from './listen.js';
import { mintOidcToken } from './oidc-tokens.js';
import { type SecretManagerFake, startSecretManagerFake } from './secret-manager-fake.js';
import { type RunningGoogle, TEST_CLIENT } from './simulated-google.js';

export const GCP_PROJECT = 'demo-clean-that-up';
export const TASKS_INVOKER = 'tasks-invoker@demo-clean-that-up.iam.gserviceaccount.com';
export const PUSH_ACCOUNT = `push@${GCP_PROJECT}.iam.gserviceaccount.com`;
export const KEY_RING_SECRET = `projects/${GCP_PROJECT}/secrets/key-ring`;

export interface StartedGcpService {
  readonly url: string;
  readonly service: GcpService;
  readonly tasks: CloudTasksFake;
  readonly secrets: SecretManagerFake;
  /** A browser stand-in (not signed in yet). */
  readonly client: HttpClient;
  close(): Promise<void>;
}

export interface GcpServiceOptions {
  /**
   * The service's clock (runs, sessions, task schedule times), shared with the Cloud Tasks
   * fake so delayed tasks come due by it; real time by default.
   */
  readonly clock?: Clock;
}

/**
 * The service in MODE=gcp on 127.0.0.1: Firestore (the emulator's client, given), Cloud Tasks
 * and Secret Manager as local gRPC servers, Google simulated. The Cloud Tasks server delivers
 * each task to the service with an OIDC token signed by the simulated Google's key, which the
 * service checks against that Google's certificates, as it would Google's.
 */
export async function startGcpService(
  google: RunningGoogle,
  firestore: Firestore,
  env: Record<string, string> = {},
  { clock }: GcpServiceOptions = {},
): Promise<StartedGcpService> {
  const secrets = await startSecretManagerFake();
  const key = () => randomBytes(32).toString('base64');
  secrets.addVersion(
    KEY_RING_SECRET,
    JSON.stringify({ version: 1, current: 'k1', keys: { k1: key() }, macRoot: key() }),
  );
  const tasks = await startCloudTasksFake(clock ? { now: () => clock.now() } : {});
  let handler: ((request: Request) => Response | Promise<Response>) | undefined;
  const server = await listen((request) => handler!(request));
  const config = loadConfig({
    MODE: 'gcp',
    PORT: String(server.port),
    PUBLIC_URL: server.url,
    GOOGLE_CLIENT_ID: TEST_CLIENT.clientId,
    GOOGLE_CLIENT_SECRET: TEST_CLIENT.clientSecret,
    GOOGLE_API_BASE_URL: google.server.url,
    GOOGLE_CLOUD_PROJECT: GCP_PROJECT,
    CLOUD_TASKS_LOCATION: 'europe-west1',
    CLOUD_TASKS_QUEUE: 'work',
    TASKS_INVOKER_SERVICE_ACCOUNT: TASKS_INVOKER,
    PUSH_SERVICE_ACCOUNT: PUSH_ACCOUNT,
    PUBSUB_TOPIC: `projects/${GCP_PROJECT}/topics/gmail`,
    KEYRING_SECRET: 'key-ring',
    ...env,
  });
  const tasksClient = tasks.client();
  const secretsClient = secrets.client();
  const service = await composeGcp(config, silentLogger, {
    firestore,
    tasks: tasksClient,
    secrets: secretsClient,
    ...(clock ? { clock } : {}),
  });
  handler = service.app.fetch;
  const signingKey = google.google.oauth.signingKey;
  tasks.startDispatching({ sign: (claims) => mintOidcToken(signingKey, claims) });
  return {
    url: server.url,
    service,
    tasks,
    secrets,
    client: new HttpClient(server.url),
    close: async () => {
      await tasks.close();
      await server.close();
      await service.close();
      await Promise.all([tasksClient.close(), secretsClient.close()]);
      await secrets.close();
    },
  };
}
