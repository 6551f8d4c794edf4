import { expect, it } from 'vitest';
import { promotionFrom, pushNotification } from './helpers/gcp-ongoing-cleanup.js';
import { gcpOngoingCleanupSuite } from './helpers/gcp-ongoing-cleanup-suite.js';
import { waitFor } from './helpers/ongoing-cleanup.js';

const OWNER = 'gcp-sync-llm@example.com';

gcpOngoingCleanupSuite(
  'ongoing cleanup in gcp mode with an OpenAI key',
  { owner: OWNER, openAi: true, seed: 1601 },
  (context) => {
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
