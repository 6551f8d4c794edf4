import { describe, expect, it } from 'vitest';
import type { RunView } from '../src/http/run-view.js';
import { formatBytes, formatDuration, formatUsd, formatWhen, plural } from './format.js';
import { runFigures } from './run-figures.js';

describe('formatting for the pages', () => {
  it('shows storage in 1024-based units, as Gmail does', () => {
    expect(formatBytes(0)).toBe('0 B');
    expect(formatBytes(1023)).toBe('1023 B');
    expect(formatBytes(1536)).toBe('1.5 KB');
    expect(formatBytes(59 * 1024 * 1024)).toBe('59 MB');
    expect(formatBytes(3.2 * 1024 ** 3)).toBe('3.2 GB');
  });

  it('shows durations in the largest useful units', () => {
    expect(formatDuration(40_000)).toBe('40 s');
    expect(formatDuration(12 * 60_000)).toBe('12 min');
    expect(formatDuration(333 * 60_000)).toBe('5 h 33 min');
    expect(formatDuration(50 * 3_600_000)).toBe('2 days 2 h');
  });

  it('shows small LLM costs with enough digits to be seen', () => {
    expect(formatUsd(0)).toBe('$0.00');
    expect(formatUsd(0.0042)).toBe('$0.0042');
    expect(formatUsd(1.236)).toBe('$1.24');
  });

  it('counts in words and dates in UTC', () => {
    expect(plural(1, 'message')).toBe('1 message');
    expect(plural(2500, 'message')).toBe('2,500 messages');
    expect(formatWhen(Date.UTC(2026, 4, 12, 14, 3))).toBe('2026-05-12 14:03 UTC');
  });
});

function aView(overrides: Partial<RunView>): RunView {
  return {
    id: 'x'.repeat(22),
    kind: 'full',
    status: 'PROCESSING',
    scheduledAt: '2026-05-12T10:00:00.000Z',
    startsAt: null,
    startedAt: '2026-05-12T10:00:00.000Z',
    endedAt: null,
    total: 1_000,
    processed: 0,
    remaining: 1_000,
    trashed: 0,
    bytesTrashed: 0,
    bytesEstimated: false,
    protected: 0,
    kept: 0,
    failed: 0,
    gone: 0,
    llm: { calls: 0, inputTokens: 0, outputTokens: 0, costUsd: 0 },
    paused: false,
    undo: 'none',
    errors: [],
    ...overrides,
  };
}

describe('a run as the pages show it', () => {
  const start = Date.parse('2026-05-12T10:00:00.000Z');

  it('estimates the time left from the rate so far', () => {
    const figures = runFigures(aView({ processed: 250, remaining: 750 }), start + 10 * 60_000);
    expect(figures).toMatchObject({ percent: 25, elapsed: '10 min', final: false });
    expect(figures.eta).toBe('About 30 min more, at the rate so far');
  });

  it('says so when the time left cannot be known yet', () => {
    expect(runFigures(aView({}), start + 60_000).eta).toMatch(/^Not known yet/);
    const queued = aView({ status: 'QUEUED', startedAt: null, total: 0 });
    expect(runFigures(queued, start)).toMatchObject({
      percent: null,
      elapsed: 'Not started yet',
      eta: 'Not known until the run starts',
    });
    const waiting = aView({
      status: 'QUEUED',
      startedAt: null,
      startsAt: '2026-05-13T07:00:00.000Z',
    });
    expect(runFigures(waiting, start).eta).toBe(
      "Waiting in line for Gmail's daily quota: starts at 2026-05-13 07:00 UTC",
    );
    const paused = aView({ processed: 500, remaining: 500, paused: true });
    expect(runFigures(paused, start + 60_000).eta).toBe('Paused until the OpenAI key is updated');
  });

  it('shows a finished run as complete with the time it took', () => {
    const done = aView({
      status: 'DONE',
      processed: 990,
      remaining: 10,
      endedAt: '2026-05-12T10:05:00.000Z',
    });
    expect(runFigures(done, start + 3_600_000)).toMatchObject({
      final: true,
      percent: 100,
      elapsed: '5 min',
      eta: 'Finished',
    });
  });
});
