import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../src/config.js';
import { composeLocal, type LocalService } from '../../src/local/compose-local.js';
import { createDemoGoogle, DEMO_EMAIL } from '../../src/local/demo-google.js';
import type { SimulatedGoogle } from '../../src/local/google/simulated-google.js';
import { createLogger, silentLogger } from '../../src/log.js';
import { listen } from '../helpers/listen.js';

export interface DemoService {
  readonly url: string;
  readonly service: LocalService;
  /** The simulated Google this process serves under /_sim/google (demo mode). */
  readonly google: SimulatedGoogle;
  readonly email: string;
  readonly dataDir: string;
  close(): Promise<void>;
}

/**
 * The service in demo mode, in this process, on 127.0.0.1: no Google client configured, so it
 * serves the simulated Google with a generated demo mailbox itself, as `npm start` does.
 */
export async function startDemoService(env: Record<string, string> = {}): Promise<DemoService> {
  let handler: ((request: Request) => Response | Promise<Response>) | undefined;
  const server = await listen((request) => handler!(request));
  const dataDir = mkdtempSync(join(tmpdir(), 'ctu-demo-'));
  const config = loadConfig({
    PORT: String(server.port),
    PUBLIC_URL: server.url,
    DATA_DIR: dataDir,
    ...env,
  });
  if (!config.google.simulated) throw new Error('demo mode needs no Google client configured');
  const log = process.env.TEST_LOG
    ? createLogger('debug', (line) => console.log(line))
    : silentLogger;
  const google = createDemoGoogle(config);
  const service = await composeLocal(config, log, { simulatedGoogle: google });
  handler = service.app.fetch;
  service.start();
  return {
    url: server.url,
    service,
    google,
    email: DEMO_EMAIL,
    dataDir,
    close: async () => {
      await server.close();
      await service.close();
    },
  };
}
