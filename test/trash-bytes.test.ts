import { describe, expect, it } from 'vitest';
import type { MailboxShape } from '../src/local/google/mailbox-generator.js';
import { signIn, startLocalService } from './helpers/local-service.js';
import { startSimulatedGoogle } from './helpers/simulated-google.js';

const OWNER = 'bytes@example.com';

interface Measured {
  readonly trashed: number;
  readonly recorded: number;
  readonly real: number;
  readonly unitsPerMessage: number;
  /** What GET /api/runs/{id} says of the figure. */
  readonly bytesEstimated: unknown;
  /** The run page's label of the figure. */
  readonly label: string | undefined;
}

/**
 * A full scan (rules, auto mode) of a generated mailbox: the run's bytesTrashed against the
 * real sizes of the messages it trashed, read from the simulator.
 */
async function measure(
  strategy: 'by-sender' | 'by-message',
  size: number,
  seed: number,
  shape: MailboxShape,
): Promise<Measured> {
  const google = await startSimulatedGoogle([{ email: OWNER, mailbox: { size, seed, shape } }], {
    userUnitsPerMinute: 100_000_000,
  });
  const started = await startLocalService(google, {
    env: { GMAIL_USER_UNITS_PER_MINUTE: '1000000', SCAN_STRATEGY: strategy },
  });
  try {
    await signIn(started.client);
    await started.client.post('/app/openai-key', { rulesOnly: '1' });
    google.google.stats.reset();
    const start = await started.client.post('/app/runs', { mode: 'auto' });
    const runId = start.headers.get('location')!.replace('/runs/', '');
    let run = await started.service.store.getRun(runId);
    while (!run || !['DONE', 'FAILED', 'CANCELLED'].includes(run.status)) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      run = await started.service.store.getRun(runId);
    }
    expect(run.status).toBe('DONE');
    const account = google.google.account(OWNER);
    const trashed = (await started.service.store.listBatches(runId))
      .flatMap((b) => b.decisions)
      .filter((d) => d.decision === 'trash');
    const api = (await (await started.client.get(`/api/runs/${runId}`)).json()) as Record<
      string,
      unknown
    >;
    const page = await (await started.client.get(`/runs/${runId}`)).text();
    const real = trashed.reduce((n, d) => n + (account.message(d.id)?.sizeEstimate ?? 0), 0);
    return {
      trashed: trashed.length,
      recorded: run.counters.bytesTrashed,
      real,
      bytesEstimated: api.bytesEstimated,
      label: page.match(/Size moved to Trash[^<]*/)?.[0],
      unitsPerMessage: google.google.stats.snapshot(OWNER).totalUnits / run.counters.processed,
    };
  } finally {
    await started.close();
    await google.close();
  }
}

const MAILBOXES: readonly [number, number, MailboxShape][] = [
  [2_000, 7, 'head-heavy'],
  [1_500, 18, 'head-heavy'],
  [3_000, 2026, 'head-heavy'],
  [3_000, 42, 'long-tail'],
];

describe.each(MAILBOXES)(
  'the bytes moved to Trash of %i messages (seed %i, %s)',
  (size, seed, shape) => {
    it.each(['by-sender', 'by-message'] as const)(
      'are within 5 percent of the trashed messages’ real sizes when scanning %s',
      async (strategy) => {
        const m = await measure(strategy, size, seed, shape);
        const error = (m.recorded - m.real) / m.real;
        console.log(
          `${size} ${shape} messages, seed ${seed}, ${strategy}: ${m.trashed} trashed, ` +
            `recorded ${m.recorded} B, real ${m.real} B, error ${(error * 100).toFixed(2)}%, ` +
            `${m.unitsPerMessage.toFixed(2)} units/message`,
        );
        expect(m.trashed).toBeGreaterThan(0);
        expect(Math.abs(error)).toBeLessThanOrEqual(0.05);
        // Sizes from buckets are estimates and say so; reading every message is exact.
        expect(m.bytesEstimated).toBe(strategy === 'by-sender');
        expect(m.label).toBe(
          strategy === 'by-sender' ? 'Size moved to Trash (estimated)' : 'Size moved to Trash',
        );
      },
      120_000,
    );
  },
);
