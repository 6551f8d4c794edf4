import { describe, expect, it } from 'vitest';
import { createApp } from './app.js';
import { loadConfig } from './config.js';
import { AppError } from './errors.js';
import { createLogger } from './log.js';

function appWithLog() {
  const lines: Record<string, unknown>[] = [];
  const log = createLogger('debug', (line) => lines.push(JSON.parse(line)));
  const app = createApp({ config: loadConfig({}), log });
  return { app, lines };
}

describe('createApp', () => {
  it('answers /healthz', async () => {
    const { app } = appWithLog();
    const response = await app.request('/healthz');
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok' });
  });

  it('answers unknown paths with a JSON 404', async () => {
    const { app } = appWithLog();
    const response = await app.request('/nowhere');
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ error: { code: 'not_found' } });
  });

  it('maps an AppError to its status and hides other errors behind a logged 500', async () => {
    const { app, lines } = appWithLog();
    app.get('/conflict', () => {
      throw new AppError('conflict', 'Run already started');
    });
    app.get('/boom', () => {
      throw new Error('database password is hunter2');
    });
    const conflict = await app.request('/conflict');
    expect(conflict.status).toBe(409);
    expect(await conflict.json()).toEqual({
      error: { code: 'conflict', message: 'Run already started' },
    });

    const boom = await app.request('/boom', {
      headers: { 'X-Cloud-Trace-Context': '105445aa7843bc8bf206b12000100000/1;o=1' },
    });
    expect(boom.status).toBe(500);
    expect(await boom.text()).not.toContain('hunter2');
    const logged = lines.find((line) => line.message === 'unhandled error');
    expect(logged).toMatchObject({
      severity: 'ERROR',
      path: '/boom',
      'logging.googleapis.com/trace': '105445aa7843bc8bf206b12000100000',
    });
  });
});
