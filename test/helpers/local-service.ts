import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../src/config.js';
import type { Clock } from '../../src/domain/ports.js';
import { composeLocal, type LocalService } from '../../src/local/compose-local.js';
import { createLogger, type Logger, silentLogger } from '../../src/log.js';
import { HttpClient } from './http-client.js';
import { listen } from './listen.js';
import { type RunningGoogle, TEST_CLIENT } from './simulated-google.js';

export interface StartedService {
  readonly url: string;
  readonly service: LocalService;
  readonly dataDir: string;
  /** A browser stand-in that has signed in. */
  readonly client: HttpClient;
  close(): Promise<void>;
}

export interface ServiceOptions {
  readonly env?: Record<string, string>;
  readonly timing?: { clock: Clock; sleep: (ms: number) => Promise<void> };
  /** The service's own clock (runs, sessions, the queue's due times); real time by default. */
  readonly clock?: Clock;
  readonly dataDir?: string;
  /** Start the task queue right away (default true). */
  readonly startQueue?: boolean;
  /** Where the service logs (default: nowhere, or the console with TEST_LOG=1). */
  readonly log?: Logger;
}

/** Runs the local service on 127.0.0.1 against a simulated Google, and signs a user in. */
export async function startLocalService(
  google: RunningGoogle,
  options: ServiceOptions = {},
): Promise<StartedService> {
  let handler: ((request: Request) => Response | Promise<Response>) | undefined;
  const server = await listen((request) => handler!(request));
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'ctu-service-'));
  const config = loadConfig({
    PORT: String(server.port),
    PUBLIC_URL: server.url,
    DATA_DIR: dataDir,
    GOOGLE_CLIENT_ID: TEST_CLIENT.clientId,
    GOOGLE_CLIENT_SECRET: TEST_CLIENT.clientSecret,
    GOOGLE_API_BASE_URL: google.server.url,
    ...options.env,
  });
  // TEST_LOG=1 shows the service's log lines while debugging a test.
  const log =
    options.log ??
    (process.env.TEST_LOG ? createLogger('debug', (line) => console.log(line)) : silentLogger);
  const service = await composeLocal(config, log, {
    ...(options.timing ? { timing: options.timing } : {}),
    ...(options.clock ? { clock: options.clock } : {}),
  });
  handler = service.app.fetch;
  if (options.startQueue !== false) service.queue.start();
  const client = new HttpClient(server.url);
  return {
    url: server.url,
    service,
    dataDir,
    client,
    close: async () => {
      await server.close();
      await service.close();
    },
  };
}

/** Signs the simulated Google's default account in through the real OAuth redirects. */
export async function signIn(client: HttpClient): Promise<Response> {
  const { final } = await client.follow('/auth/google');
  return final;
}
