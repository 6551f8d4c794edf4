import { describe, expect, it } from 'vitest';
import { createLogger, traceFields } from './log.js';

describe('createLogger', () => {
  it('writes one JSON line per entry with severity and merged fields', () => {
    const lines: string[] = [];
    const log = createLogger('info', (line) => lines.push(line)).with({ runId: 'r1' });
    log.debug('hidden');
    log.warn('slow', { ms: 12 });
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toMatchObject({
      severity: 'WARNING',
      message: 'slow',
      runId: 'r1',
      ms: 12,
    });
  });

  it('serialises errors with their message', () => {
    const lines: string[] = [];
    createLogger('info', (line) => lines.push(line)).error('failed', { error: new Error('nope') });
    expect(JSON.parse(lines[0]!).error).toMatchObject({ name: 'Error', message: 'nope' });
  });
});

describe('traceFields', () => {
  const headers = (entries: Record<string, string>) => new Headers(entries);

  it('reads the Cloud trace header and qualifies it with the project', () => {
    const fields = traceFields(
      headers({ 'x-cloud-trace-context': '105445aa7843bc8bf206b12000100000/1;o=1' }),
      'my-project',
    );
    expect(fields).toEqual({
      'logging.googleapis.com/trace': 'projects/my-project/traces/105445aa7843bc8bf206b12000100000',
    });
  });

  it('falls back to W3C traceparent and ignores garbage', () => {
    expect(
      traceFields(
        headers({ traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' }),
        undefined,
      ),
    ).toEqual({ 'logging.googleapis.com/trace': '4bf92f3577b34da6a3ce929d0e0e4736' });
    expect(traceFields(headers({ 'x-cloud-trace-context': '<script>' }), undefined)).toEqual({});
  });
});
