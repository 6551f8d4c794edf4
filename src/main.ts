import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { createApp, SIMULATED_GOOGLE_PATH } from './app.js';
import { type Config, ConfigError, loadConfig } from './config.js';
import { createDemoGoogle } from './local/demo-google.js';
import { createLogger } from './log.js';

/** Composition root: Config -> adapters -> app -> serve; SIGTERM drains and exits. */
function main(): void {
  let config: Config;
  try {
    config = loadConfig();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`${error.message}\n`);
    process.exit(1);
  }
  const log = createLogger(config.logLevel);
  const simulatedGoogle = config.google.simulated ? createDemoGoogle(config) : undefined;
  const app = createApp({ config, log, simulatedGoogle });

  const server = serve({ fetch: app.fetch, port: config.port }, (info: AddressInfo) => {
    log.info('listening', { port: info.port, mode: config.mode, demo: config.google.simulated });
    const demo = simulatedGoogle
      ? ` (demo mode: simulated Google at ${config.publicUrl}${SIMULATED_GOOGLE_PATH})`
      : '';
    process.stdout.write(`\nClean That Up is running: open ${config.publicUrl}/${demo}\n\n`);
  });

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info('shutting down', { signal });
    // Cloud Run allows 10 s after SIGTERM: stop accepting, let in-flight requests finish.
    const force = setTimeout(() => process.exit(0), 9_000);
    force.unref();
    server.close(() => process.exit(0));
    if ('closeIdleConnections' in server) server.closeIdleConnections();
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

main();
