import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningGoogle, startSimulatedGoogle } from './helpers/simulated-google.js';

const OWNER = 'big@example.com';
const SIZE = 100_000;

describe('a 100,000-message simulated mailbox', () => {
  let sim: RunningGoogle;
  let generatedMs = 0;

  beforeAll(async () => {
    const started = performance.now();
    sim = await startSimulatedGoogle([{ email: OWNER, mailbox: { size: SIZE, seed: 100 } }], {
      userUnitsPerMinute: 1_000_000,
    });
    generatedMs = performance.now() - started;
  }, 120_000);
  afterAll(() => sim?.close());

  it('lists every id through the googleapis client in pages of 500', async () => {
    const gmail = sim.gmailFor(OWNER);
    const started = performance.now();
    const seen = new Set<string>();
    let pageToken: string | undefined;
    let pages = 0;
    do {
      const { data } = await gmail.users.messages.list({
        userId: 'me',
        maxResults: 500,
        includeSpamTrash: true,
        pageToken,
      });
      for (const message of data.messages ?? []) seen.add(message.id!);
      pageToken = data.nextPageToken ?? undefined;
      pages++;
    } while (pageToken);
    const listedMs = performance.now() - started;
    const heapMb = process.memoryUsage().heapUsed / 2 ** 20;
    // Figures for the record, not assertions: see the README.
    console.log(
      `100k mailbox: generated in ${Math.round(generatedMs)} ms, listed ${seen.size} ids in ${pages} pages in ${Math.round(listedMs)} ms, heap ${Math.round(heapMb)} MiB`,
    );
    expect(seen.size).toBe(SIZE);
    expect(pages).toBe(SIZE / 500);
    expect(sim.google.stats.snapshot(OWNER).methods['users.messages.list']!.units).toBe(pages * 5);
  }, 120_000);
});
