import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Run } from '../../src/domain/model.js';
import {
  type GeneratedMailbox,
  generateMailbox,
} from '../../src/local/google/mailbox-generator.js';
import { Random } from '../../src/local/google/random.js';
import { disposable, personal } from '../helpers/ongoing-cleanup.js';
import { type Cluster, startCluster, waitUntil } from './cluster.js';

/**
 * Several service processes in MODE=gcp spend one Gmail budget: the real Firestore emulator
 * holds the shared quota ledger, one Cloud Tasks fake spreads the tasks over the instances
 * through a round-robin front (Cloud Run's load balancer), and one simulated Gmail enforces
 * the per-user and per-project budgets on the same warped clock. The project budget is small
 * enough to bind. Figures go to test-results/scale/figures.json.
 */

const INSTANCES = 3;
const USERS = Number(process.env.SCALE_USERS ?? 40);
const MAILBOX = 10;
const PUSHED_PER_USER = 3;
const USER_BUDGET = 6_000;
const PROJECT_BUDGET = Number(process.env.SCALE_PROJECT_BUDGET ?? 1_200);
const WARP = Number(process.env.SCALE_WARP ?? 12);
const RESULTS = join(import.meta.dirname, '..', '..', 'test-results', 'scale');

/**
 * A generated mailbox keeping only its first user label and no star colours. Each marking label
 * costs every scan a listing and a label history: at the generator's 5 to 10 labels they were
 * most of a 10-message scan's units, and units are this test's real time. The budgets, not the
 * labels, are what it is about (conversation marks have their own tests).
 */
function fewLabels(generated: GeneratedMailbox): GeneratedMailbox {
  const dropped = new Set(
    [...generated.userLabels.slice(1), ...(generated.markerLabels ?? [])].map((l) => l.id),
  );
  for (const message of generated.messages) {
    message.labelIds = message.labelIds.filter((id) => !dropped.has(id));
  }
  return {
    userLabels: generated.userLabels.slice(0, 1),
    markerLabels: [],
    messages: generated.messages,
  };
}

describe('several gcp instances sharing one Gmail budget', () => {
  let w: Cluster;
  const emails = Array.from({ length: USERS }, (_, i) => `scale${i + 1}@example.com`);
  const userIds = new Map<string, string>();

  beforeAll(async () => {
    w = await startCluster({
      instances: INSTANCES,
      userBudget: USER_BUDGET,
      projectBudget: PROJECT_BUDGET,
      warp: WARP,
      maxConcurrentDispatches: 60,
    });
    emails.forEach((email, i) => {
      const mailbox = generateMailbox({
        seed: 500 + i,
        size: MAILBOX,
        ownerEmail: email,
        now: Date.now(),
      });
      const account = w.google.addAccount({ email, mailbox: fewLabels(mailbox) });
      userIds.set(email, account.sub);
    });
  }, 120_000);

  afterAll(async () => {
    await w?.close();
  }, 60_000);

  it('scans and syncs every user within both budgets, without a 429, deciding each message once', async () => {
    const store = w.store;
    const inScope = new Map(
      emails.map((email) => [
        email,
        [...w.google.account(email).messagesAfter(undefined)]
          .filter((m) => !m.labelIds.includes('SPAM') && !m.labelIds.includes('TRASH'))
          .map((m) => m.id),
      ]),
    );
    const clients = await Promise.all(emails.map((email) => w.signUp(email, 'rules')));
    w.startWarp();
    const simStart = w.warpedNow();
    const runIds = await Promise.all(clients.map((client) => w.startRun(client)));
    const progress = setInterval(() => {
      if (!process.env.SCALE_DEBUG) return;
      void Promise.all(runIds.map((id) => store.getRun(id))).then((all) => {
        const byStatus: Record<string, number> = {};
        for (const run of all)
          byStatus[run?.status ?? '?'] = (byStatus[run?.status ?? '?'] ?? 0) + 1;
        const stats = w.google.stats.snapshot();
        console.log(
          ((w.warpedNow() - simStart) / 60_000).toFixed(2),
          JSON.stringify(byStatus),
          stats.totalUnits,
          stats.rateLimited,
          w.tasks.attempts.length,
          w.tasks.requests.length,
          w.tasks.attempts.filter((a) => a.status >= 300 || a.status === 0).length,
          JSON.stringify(
            Object.fromEntries(
              Object.entries(stats.methods).map(([m, c]) => [m, `${c?.calls}/${c?.units}`]),
            ),
          ),
        );
      });
    }, 3_000);
    const runs = await Promise.all(runIds.map((id) => w.waitRun(id, 480_000))).finally(() =>
      clearInterval(progress),
    );
    expect(runs.map((run) => run.status)).toEqual(runs.map(() => 'DONE'));

    // A run is DONE before its watch task has run: wait for every watch, as Gmail pushes none before.
    await waitUntil(
      async () => (emails.every((email) => w.google.account(email).watch) ? true : undefined),
      'every watch',
      60_000,
    );
    // Ongoing cleanup: new mail for everyone, notified through Pub/Sub push to the front.
    const rng = new Random(17);
    const pushed = new Map<string, string[]>();
    for (const email of emails) {
      const messages = Array.from({ length: PUSHED_PER_USER }, (_, i) =>
        i === 0 ? personal(rng, email) : disposable(rng, email),
      );
      for (const message of messages) w.google.deliver(email, message);
      pushed.set(
        email,
        messages.map((m) => m.id),
      );
    }
    const decisionsOf = async (email: string) => {
      const userRuns: Run[] = await store.listRuns(userIds.get(email)!, 50);
      const batches = await Promise.all(userRuns.map((run) => store.listBatches(run.id)));
      return batches.flat().flatMap((batch) => batch.decisions.map((d) => d.id));
    };
    const decided = await Promise.all(
      emails.map((email) =>
        waitUntil(
          async () => {
            const ids = await decisionsOf(email);
            return pushed.get(email)!.every((id) => ids.includes(id)) ? ids : undefined;
          },
          `the sync of ${email}`,
          180_000,
        ),
      ),
    );
    const simulatedMinutes = (w.warpedNow() - simStart) / 60_000;

    let decidedOnce = true;
    decided.forEach((ids, i) => {
      const email = emails[i]!;
      const expected = [...inScope.get(email)!, ...pushed.get(email)!].sort();
      const counts = new Map<string, number>();
      for (const id of ids) counts.set(id, (counts.get(id) ?? 0) + 1);
      if ([...counts.values()].some((n) => n !== 1)) decidedOnce = false;
      expect([...counts.keys()].sort(), email).toEqual(expected);
    });

    const stats = w.google.stats.snapshot();
    const quota = w.google.quota;
    const figures = {
      instances: INSTANCES,
      users: USERS,
      messages: decided.reduce((n, ids) => n + ids.length, 0),
      units: stats.totalUnits,
      gmail429s: stats.rateLimited,
      peakUserUnitsPerMinute: Math.max(...emails.map((e) => quota.peakUserUnitsPerMinute(e))),
      userBudget: USER_BUDGET,
      peakProjectUnitsPerMinute: quota.peakProjectUnitsPerMinute,
      projectBudget: PROJECT_BUDGET,
      decidedOnce,
      simulatedMinutes: Math.round(simulatedMinutes * 100) / 100,
      floorMinutes: Math.round((stats.totalUnits / PROJECT_BUDGET) * 100) / 100,
    };
    mkdirSync(RESULTS, { recursive: true });
    writeFileSync(join(RESULTS, 'figures.json'), `${JSON.stringify(figures, null, 2)}\n`);
    process.stdout.write(`multi-instance figures: ${JSON.stringify(figures)}\n`);

    expect(figures.gmail429s).toBe(0);
    expect(figures.peakUserUnitsPerMinute).toBeLessThanOrEqual(USER_BUDGET);
    expect(figures.peakProjectUnitsPerMinute).toBeLessThanOrEqual(PROJECT_BUDGET);
    expect(figures.decidedOnce).toBe(true);
    // The project budget bound the work: the scans needed more than one minute of it.
    expect(figures.floorMinutes).toBeGreaterThan(1);
  }, 720_000);
});
