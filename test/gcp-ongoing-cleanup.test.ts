import { expect, it } from 'vitest';
import { promotionFrom, pushNotification } from './helpers/gcp-ongoing-cleanup.js';
import { gcpOngoingCleanupSuite } from './helpers/gcp-ongoing-cleanup-suite.js';
import { inTrash, waitFor } from './helpers/ongoing-cleanup.js';

const OWNER = 'gcp-sync-rules@example.com';

gcpOngoingCleanupSuite(
  'ongoing cleanup in gcp mode with the rules',
  { owner: OWNER, openAi: false, seed: 1602 },
  (context) => {
    it('sends the trash of two syncs a few seconds apart to Gmail in one batchModify from the last delayed flush', async () => {
      const { google, scanned, sender, rng, calls, incremental } = context();
      await scanned.gcp.tasks.idle(60_000);
      const earlier = new Set((await incremental()).map((r) => r.id));
      const since = async () => (await incremental()).filter((r) => !earlier.has(r.id));
      google.google.stats.reset();

      const rounds = [0, 1].map(() => [0, 1].map(() => promotionFrom(rng, OWNER, sender)));
      for (const [i, round] of rounds.entries()) {
        for (const m of round) google.google.deliver(OWNER, m);
        expect(await pushNotification(google, scanned.gcp, OWNER, `burst-${i}`)).toBe(204);
        // The next mail comes once this sync has queued its trash, before its flush is due.
        await waitFor(
          async () => {
            const runs = await since();
            return runs.length > i && runs[0]?.status === 'DELETING' ? true : undefined;
          },
          `sync ${i + 1} to queue its trash`,
        );
      }
      await waitFor(async () => {
        const runs = await since();
        return runs.length === 2 && runs.every((r) => r.status === 'DONE') ? true : undefined;
      }, 'both syncs to end');
      await scanned.gcp.tasks.idle(60_000);

      const runs = await since();
      expect(runs.map((r) => r.counters.trashed)).toEqual([2, 2]);
      expect(
        inTrash(
          google,
          OWNER,
          rounds.flat().map((m) => m.id),
        ),
      ).toBe(true);
      expect(calls('users.messages.batchModify')).toBe(1);
      expect(calls('users.messages.trash')).toBe(0);
    }, 120_000);
  },
);
