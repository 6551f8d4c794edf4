/**
 * How close "Size moved to Trash" is to the real sizes: a full scan (rules classifier, auto
 * mode) over the simulated Gmail, by sender and message by message, each on a fresh copy of
 * the same mailbox; the run's bytesTrashed against the sum of the trashed messages' real
 * sizeEstimate, read from the simulator.
 *
 *   tsx bench/trash-bytes.ts [size] [seed]
 */

import { signIn, startLocalService } from '../test/helpers/local-service.js';
import { startSimulatedGoogle } from '../test/helpers/simulated-google.js';

const size = Number(process.argv[2] ?? 10_000);
const seed = Number(process.argv[3] ?? 42);
const OWNER = 'bytes@example.com';

async function measure(strategy: 'by-sender' | 'by-message') {
  const google = await startSimulatedGoogle([{ email: OWNER, mailbox: { size, seed } }], {
    userUnitsPerMinute: 100_000_000,
  });
  const started = await startLocalService(google, {
    env: { GMAIL_USER_UNITS_PER_MINUTE: '1000000', SCAN_STRATEGY: strategy },
  });
  try {
    await signIn(started.client);
    await started.client.post('/app/openai-key', { rulesOnly: '1' });
    const start = await started.client.post('/app/runs', { mode: 'auto' });
    const runId = start.headers.get('location')!.replace('/runs/', '');
    let run = await started.service.store.getRun(runId);
    while (!run || !['DONE', 'FAILED', 'CANCELLED'].includes(run.status)) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      run = await started.service.store.getRun(runId);
    }
    const account = google.google.account(OWNER);
    const trashed = (await started.service.store.listBatches(runId))
      .flatMap((b) => b.decisions)
      .filter((d) => d.decision === 'trash');
    const real = trashed.reduce((n, d) => n + (account.message(d.id)?.sizeEstimate ?? 0), 0);
    const recorded = run.counters.bytesTrashed;
    return { strategy, messages: trashed.length, recorded, real, error: (recorded - real) / real };
  } finally {
    await started.close();
    await google.close();
  }
}

for (const strategy of ['by-message', 'by-sender'] as const) {
  const r = await measure(strategy);
  console.log(
    `${size} messages, seed ${seed}, ${r.strategy}: ${r.messages} trashed, recorded ${r.recorded} B, real ${r.real} B, error ${(r.error * 100).toFixed(2)}%`,
  );
}
