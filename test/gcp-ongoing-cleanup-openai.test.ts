import { expect, it } from 'vitest';
import { TASK_PATHS } from '../src/jobs/job-deps.js';
import { promotionFrom, pushNotification, taskCall } from './helpers/gcp-ongoing-cleanup.js';
import { gcpOngoingCleanupSuite } from './helpers/gcp-ongoing-cleanup-suite.js';
import { inTrash, waitFor } from './helpers/ongoing-cleanup.js';

const OWNER = 'gcp-sync-llm@example.com';

gcpOngoingCleanupSuite(
  'ongoing cleanup in gcp mode with an OpenAI key',
  { owner: OWNER, openAi: true, seed: 1601 },
  (context) => {
    it('counts a sync’s trash once when Cloud Tasks delivers its delayed flush twice at the same time', async () => {
      const { google, scanned, sender, rng, incremental } = context();
      await scanned.gcp.tasks.idle(60_000);
      const junk = [promotionFrom(rng, OWNER, sender), promotionFrom(rng, OWNER, sender)];
      for (const m of junk) google.google.deliver(OWNER, m);
      const earlier = new Set((await incremental()).map((r) => r.id));
      const flushesBefore = scanned.gcp.tasks.requests.length;

      expect(await pushNotification(google, scanned.gcp, OWNER, 'twice-1')).toBe(204);
      const flush = await waitFor(
        () =>
          scanned.gcp.tasks.requests
            .slice(flushesBefore)
            .find((r) => r.task.httpRequest.url.endsWith(TASK_PATHS.flushTrash)),
        'the delayed flush task',
      );
      // Its payload, delivered twice at once before Cloud Tasks' own delivery comes due.
      const payload = JSON.parse(flush.task.httpRequest.body.toString()) as unknown;
      const deliver = () => taskCall(google, scanned.gcp, TASK_PATHS.flushTrash, payload);
      expect(await Promise.all([deliver(), deliver()])).toEqual([204, 204]);
      const run = await waitFor(async () => {
        const [latest] = await incremental();
        return latest && !earlier.has(latest.id) && latest.status === 'DONE' ? latest : undefined;
      }, 'the sync run');
      await scanned.gcp.tasks.idle(60_000);

      expect(
        inTrash(
          google,
          OWNER,
          junk.map((m) => m.id),
        ),
      ).toBe(true);
      const final = await scanned.gcp.service.store.getRun(run.id);
      expect(final?.counters).toMatchObject({ processed: 2, trashed: 2 });
      expect(final?.batchesDone).toBe(final?.batchCount);
      expect(await scanned.gcp.service.store.queuedTrash(scanned.user.id, 10)).toEqual([]);
    }, 60_000);

    it('stops the ongoing cleanup of a user whose Google access was revoked, and later notifications queue nothing', async () => {
      const { google, scanned, sender, rng, incremental } = context();
      await scanned.gcp.tasks.idle(60_000);
      const store = scanned.gcp.service.store;
      google.google.oauth.revokeAccount(OWNER);
      const junk = promotionFrom(rng, OWNER, sender);
      google.google.deliver(OWNER, junk);
      const runs = (await incremental()).length;

      expect(await pushNotification(google, scanned.gcp, OWNER, 'revoked-1')).toBe(204);
      const stopped = await waitFor(async () => {
        const user = await store.getUser(scanned.user.id);
        return user?.needsReconnect ? user : undefined;
      }, 'the user to need a reconnect');
      expect(stopped.watch).toBeNull();
      await scanned.gcp.tasks.idle(60_000);

      const tasks = scanned.gcp.tasks.requests.length;
      expect(await pushNotification(google, scanned.gcp, OWNER, 'revoked-2')).toBe(204);
      expect(scanned.gcp.tasks.requests).toHaveLength(tasks);
      expect(await incremental()).toHaveLength(runs);
      expect(google.google.account(OWNER).message(junk.id)?.labelIds).not.toContain('TRASH');
    }, 60_000);
  },
);
