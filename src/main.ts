import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { SIMULATED_GOOGLE_PATH } from './app.js';
import { type Config, ConfigError, loadConfig } from './config.js';
import { composeGcp } from './gcp/compose-gcp.js';
import { composeLocal } from './local/compose-local.js';
import { createDemoGoogle } from './local/demo-google.js';
import { createLogger } from './log.js';

/** Composition root: Config -> adapters -> app -> serve; SIGTERM drains and exits. */
async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`${error.message}\n`);
    process.exit(1);
  }
  const log = createLogger(config.logLevel);
  const simulatedGoogle =
    config.mode === 'local' && config.google.simulated ? createDemoGoogle(config) : undefined;
  const service =
    config.mode === 'gcp'
      ? await composeGcp(config, log).catch((error: unknown) => {
          // A missing secret or permission: say which, and stop before serving anything.
          const reason = error instanceof Error ? error.message : String(error);
          process.stderr.write(`Cannot start in MODE=gcp: ${reason}\n`);
          process.exit(1);
        })
      : await composeLocal(config, log, { simulatedGoogle });

  const server = serve({ fetch: service.app.fetch, port: config.port }, (info: AddressInfo) => {
    // Local mode: the in-process queue, the hourly cron and the optional Pub/Sub pull.
    if ('start' in service) service.start();
    log.info('listening', { port: info.port, mode: config.mode, demo: config.google.simulated });
    const demo = simulatedGoogle
      ? ` (demo mode: simulated Google at ${config.publicUrl}${SIMULATED_GOOGLE_PATH})`
      : '';
    process.stdout.write(`\nClean That Up is running: open ${config.publicUrl}/${demo}\n\n`);
  });

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info('shutting down', { signal });
    // Cloud Run allows 10 s after SIGTERM: stop accepting, finish in-flight work, exit.
    const force = setTimeout(() => process.exit(0), 9_000);
    force.unref();
    const drained = new Promise<void>((resolve) => server.close(() => resolve()));
    if ('closeIdleConnections' in server) server.closeIdleConnections();
    await drained;
    await service.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}

await main();
