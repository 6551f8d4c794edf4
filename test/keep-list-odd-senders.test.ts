import { describe, expect, it } from 'vitest';
import type { PlanSender } from '../src/domain/review-plan.js';
import { startFakeOpenAi, VALID_KEY } from './helpers/fake-openai.js';
import { signIn, startLocalService } from './helpers/local-service.js';
import { KEEPABLE, keepListMailbox } from './helpers/odd-mailboxes.js';
import { runIdOf, waitForRun } from './helpers/outside-checks.js';
import type { Strategy } from './helpers/outside-scan.js';
import { startSimulatedGoogle } from './helpers/simulated-google.js';

const OWNER = 'keeper@example.com';

describe('senders kept in a review, with addresses search handles badly', () => {
  it.each(['by-message', 'by-sender'] as const)(
    'stay out of Trash in the next scan, whatever the LLM says (%s)',
    async (strategy: Strategy) => {
      const mailbox = keepListMailbox(OWNER, 3, Date.now());
      const google = await startSimulatedGoogle([{ email: OWNER, mailbox }], {
        userUnitsPerMinute: 100_000_000,
      });
      const fake = await startFakeOpenAi();
      fake.trashAll = true;
      const started = await startLocalService(google, {
        env: {
          GMAIL_USER_UNITS_PER_MINUTE: '1000000',
          SCAN_STRATEGY: strategy,
          OPENAI_BASE_URL: fake.baseUrl,
        },
      });
      try {
        const { client } = started;
        const account = google.google.account(OWNER);
        const inTrash = () =>
          [...account.messagesAfter(undefined)].filter((m) => m.labelIds.includes('TRASH'));
        await signIn(client);
        expect((await client.post('/app/openai-key', { apiKey: VALID_KEY })).status).toBe(303);

        const reviewId = runIdOf(await client.post('/app/runs', { mode: 'review' }));
        await waitForRun(client, reviewId, ['REVIEW', 'DONE', 'FAILED', 'CANCELLED']);
        const plan = (await (await client.get(`/api/runs/${reviewId}/plan`)).json()) as {
          senders: PlanSender[];
        };
        const wanted = new Set(KEEPABLE.map((a) => a.toLowerCase()));
        const keep = plan.senders.filter((s) => wanted.has(s.address)).map((s) => s.key);
        expect(keep.sort()).toEqual([...wanted].sort());
        const form = new URLSearchParams(keep.map((k) => ['keep', k]));
        const applied = await client.send(`/app/runs/${reviewId}/apply`, {
          method: 'POST',
          headers: {
            'content-type': 'application/x-www-form-urlencoded',
            origin: new URL(started.url).origin,
          },
          body: form.toString(),
        });
        expect(applied.status).toBe(303);
        await waitForRun(client, reviewId, ['DONE']);
        expect(inTrash().map((m) => m.from.address)).toEqual(Array(6).fill('deals@other.example'));

        const autoId = runIdOf(await client.post('/app/runs', { mode: 'auto' }));
        const run = await waitForRun(client, autoId, ['DONE', 'FAILED', 'CANCELLED']);
        expect(run.status).toBe('DONE');
        const kept = inTrash().filter((m) => wanted.has(m.from.address.toLowerCase()));
        expect(kept.map((m) => m.from.address)).toEqual([]);
        expect(run.protected).toBe(KEEPABLE.length * 6);
      } finally {
        await started.close();
        await fake.close();
        await google.close();
      }
    },
    60_000,
  );
});
