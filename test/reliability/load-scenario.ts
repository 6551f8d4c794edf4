import { expect } from 'vitest';
import type { Run } from '../../src/domain/model.js';
import { Random } from '../../src/local/google/random.js';
import { HttpClient } from '../helpers/http-client.js';
import { type StartedService, startLocalService } from '../helpers/local-service.js';
import { disposable, envelope, PUSH_TOKEN, waitFor } from '../helpers/ongoing-cleanup.js';
import { type RunningGoogle, startSimulatedGoogle } from '../helpers/simulated-google.js';
import { timeWarp } from '../helpers/time-warp.js';
import { recordFigures } from './figures.js';
import { auditMailbox, auditRun, type MailboxSnapshot, snapshot } from './mailbox-truth.js';

export interface LoadConfig {
  readonly users: number;
  readonly mailbox: number;
  /** Units per user per minute, for Gmail and the service alike. */
  readonly budget: number;
  /** Notifications pushed while the scans run and after. */
  readonly pushes: number;
  /** New messages per user while the scans run. */
  readonly arrivals: number;
  readonly seed: number;
  /** Simulated minutes per real minute (default 60). */
  readonly warp?: number;
}

const TOPIC = 'projects/demo-clean-that-up/topics/gmail';

/**
 * Many users' full scans at once on one process, while Gmail notifications pour in (for them,
 * for strangers, duplicated and stale) and new mail arrives. Gmail refuses any call over a
 * user's budget, so a single 429 would mean the scheduler let one through. Gmail and the
 * service share one warped clock (by default a simulated minute per real second).
 */
export async function runLoad(config: LoadConfig) {
  const warp = timeWarp(config.warp ?? 60);
  const emails = Array.from({ length: config.users }, (_, i) => `load-${i}@example.com`);
  let google: RunningGoogle | undefined;
  let started: StartedService | undefined;
  const rss: number[] = [];
  const sampler = setInterval(() => rss.push(process.memoryUsage().rss), 100);
  try {
    google = await startSimulatedGoogle(
      emails.map((email, i) => ({
        email,
        mailbox: { size: config.mailbox, seed: config.seed + i },
      })),
      { userUnitsPerMinute: config.budget, now: warp.now, notificationIntervalMs: 0 },
    );
    const sim = google.google;
    sim.notifier.setTopic(TOPIC, { kind: 'function', deliver: () => {} });
    started = await startLocalService(google, {
      env: {
        GMAIL_USER_UNITS_PER_MINUTE: String(config.budget),
        PUSH_VERIFICATION_TOKEN: PUSH_TOKEN,
        PUBSUB_TOPIC: TOPIC,
        SCAN_STRATEGY: 'by-sender',
      },
      timing: { clock: warp.clock, sleep: warp.sleep },
      // The queue's delays too: a sync waits for its notification window in warped time.
      clock: warp.clock,
    });
    const service = started;
    const before = new Map<string, MailboxSnapshot>(
      emails.map((email) => [email, snapshot(sim.account(email))]),
    );
    const rssBefore = process.memoryUsage().rss;

    // Every user signs in (login_hint picks the account at the simulated Google), rules only,
    // bulk mail trashed at any age.
    const clients = await Promise.all(
      emails.map(async (email) => {
        const client = new HttpClient(service.url);
        const start = await client.get('/auth/google');
        const authorize = new URL(start.headers.get('location')!);
        authorize.searchParams.set('login_hint', email);
        await client.follow(authorize.toString());
        await client.post('/app/openai-key', { rulesOnly: '1' });
        const userId = sim.account(email).sub;
        const user = (await service.service.store.getUser(userId))!;
        await service.service.store.updateUser(userId, {
          policy: { ...user.policy, minAgeDays: 0 },
        });
        return { email, client, userId };
      }),
    );
    const beginUnits = sim.stats.snapshot().totalUnits;
    const scans = await Promise.all(
      clients.map(async ({ client }) => {
        const start = await client.post('/app/runs');
        return start.headers.get('location')!.replace('/runs/', '');
      }),
    );

    // The storm, while the scans run: notifications for every user (new, duplicated, stale)
    // and for strangers, many at once, with new mail arriving meanwhile.
    const rng = new Random(config.seed);
    const arrived = new Map<string, string[]>(emails.map((e) => [e, []]));
    const answers = new Map<number, number>();
    let sent = 0;
    const pushOne = async () => {
      const email = rng.chance(0.9) ? rng.pick(emails) : `stranger-${rng.int(0, 99)}@example.com`;
      if (!email.startsWith('stranger') && (arrived.get(email)?.length ?? 0) < config.arrivals) {
        if (rng.chance(0.3)) {
          const message = disposable(rng, email);
          sim.deliver(email, message);
          arrived.get(email)!.push(message.id);
        }
      }
      const historyId = email.startsWith('stranger')
        ? rng.int(1, 1e6)
        : sim.account(email).historyId - rng.int(0, 3);
      const response = await fetch(`${service.url}/push/gmail?token=${PUSH_TOKEN}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(envelope(email, historyId, String(sent++))),
      });
      answers.set(response.status, (answers.get(response.status) ?? 0) + 1);
    };
    const storm = async (count: number) => {
      const lanes = Array.from({ length: 50 }, async (_, lane) => {
        for (let i = lane; i < count; i += 50) await pushOne();
      });
      await Promise.all(lanes);
    };
    await storm(Math.floor(config.pushes / 2));

    const runs = await Promise.all(
      scans.map((runId) =>
        waitFor(
          async () => {
            const run = await service.service.store.getRun(runId);
            return run && ['DONE', 'FAILED', 'CANCELLED'].includes(run.status) ? run : undefined;
          },
          `scan ${runId}`,
          120_000,
        ),
      ),
    );
    // The scans are done and the users watched: the rest of the storm, then every arrival
    // must be cleaned by the syncs it caused.
    await waitFor(
      async () => {
        const users = await Promise.all(
          clients.map((c) => service.service.store.getUser(c.userId)),
        );
        return users.every((u) => u?.watch) || undefined;
      },
      'every watch',
      60_000,
    );
    await storm(config.pushes - Math.floor(config.pushes / 2));
    await waitFor(
      async () => {
        for (const email of emails) {
          const account = sim.account(email);
          if (!arrived.get(email)!.every((id) => account.message(id)?.labelIds.includes('TRASH'))) {
            // Arrivals the storm announced before the cursor existed: a last notification each.
            await fetch(`${service.url}/push/gmail?token=${PUSH_TOKEN}`, {
              method: 'POST',
              headers: { 'content-type': 'application/json' },
              body: JSON.stringify(envelope(email, account.historyId)),
            });
            return undefined;
          }
        }
        return true;
      },
      'every arrival to be trashed',
      120_000,
    );
    await service.service.queue.idle();
    clearInterval(sampler);

    for (const [i, run] of runs.entries()) {
      expect((run as Run).status).toBe('DONE');
      const email = emails[i]!;
      const batches = await service.service.store.listBatches(run.id);
      const final = (await service.service.store.getRun(run.id))!;
      expect(auditRun(final, batches)).toMatchObject({
        duplicates: [],
        badBatches: [],
        unfinishedBatches: [],
        counterErrors: [],
      });
      const after = new Map(snapshot(sim.account(email)));
      for (const id of arrived.get(email)!) after.delete(id);
      expect(auditMailbox(before.get(email)!, after, batches, { complete: true })).toMatchObject({
        lost: [],
        protectedTrashed: [],
        trashedUndecided: [],
        decidedNotTrashed: [],
      });
    }
    const peaks = emails.map((email) => sim.quota.peakUserUnitsPerMinute(email));
    const rateLimited = emails.map((email) => sim.stats.snapshot(email).rateLimited);
    expect(Math.max(...peaks)).toBeLessThanOrEqual(config.budget);
    expect(rateLimited.reduce((a, b) => a + b, 0)).toBe(0);
    expect([...answers.keys()]).toEqual([204]);

    const mb = (bytes: number) => Math.round(bytes / 1_048_576);
    const figures = {
      users: config.users,
      messagesPerUser: config.mailbox,
      budgetPerUser: config.budget,
      peakUnitsPerUserMinute: Math.max(...peaks),
      rateLimited: 0,
      gmailUnits: sim.stats.snapshot().totalUnits - beginUnits,
      pushes: sent,
      arrivals: [...arrived.values()].reduce((n, ids) => n + ids.length, 0),
      syncRuns: (
        await Promise.all(clients.map((c) => service.service.store.listRuns(c.userId, 500)))
      )
        .flat()
        .filter((r) => r.kind === 'incremental').length,
      rssBeforeMiB: mb(rssBefore),
      rssPeakMiB: mb(Math.max(...rss)),
      rssAfterMiB: mb(process.memoryUsage().rss),
    };
    recordFigures(`load ${config.users} users`, figures);
    return figures;
  } finally {
    clearInterval(sampler);
    await started?.close();
    await google?.close();
  }
}
