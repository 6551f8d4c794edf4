import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isComingOfAge } from '../src/domain/coming-of-age-log.js';
import { SYSTEM_LABEL_IDS } from '../src/domain/message.js';
import type { Run } from '../src/domain/model.js';
import { Random } from '../src/local/google/random.js';
import {
  disposable,
  envelope,
  inTrash,
  PUSH_TOKEN,
  personal,
  type ScannedUser,
  scannedService,
  waitFor,
} from './helpers/ongoing-cleanup.js';
import { type RunningGoogle, startSimulatedGoogle } from './helpers/simulated-google.js';

const OWNER = 'aging@example.com';
const TOPIC = 'projects/demo-clean-that-up/topics/gmail';
const DAY = 86_400_000;

/**
 * With the rules and the default minimum age (30 days), new promotions are kept on arrival;
 * the daily coming-of-age pass moves them to Trash once they are old enough. The service's
 * clock is moved forward; Gmail's dates are real ones.
 */
describe('the coming-of-age pass', () => {
  let google: RunningGoogle;
  let scanned: ScannedUser;
  let offset = 0;
  const clock = { now: () => Date.now() + offset };
  const rng = new Random(4242);
  const account = () => google.google.account(OWNER);
  const store = () => scanned.started.service.store;
  const gets = () => google.google.stats.snapshot(OWNER).methods['users.messages.get']?.calls ?? 0;
  const runs = async () => store().listRuns(scanned.user.id, 100);

  beforeAll(async () => {
    google = await startSimulatedGoogle([{ email: OWNER, mailbox: { size: 400, seed: 12 } }], {
      userUnitsPerMinute: 10_000_000,
    });
    google.google.notifier.setTopic(TOPIC, { kind: 'function', deliver: () => {} });
    scanned = await scannedService(
      google,
      OWNER,
      { PUBSUB_TOPIC: TOPIC },
      { clock, minAgeDays: 30 },
    );
  }, 60_000);
  afterAll(async () => {
    await scanned?.started.close();
    await google?.close();
  });

  async function settled(predicate: (run: Run) => boolean, what: string): Promise<Run> {
    return waitFor(async () => {
      const run = (await runs()).find(predicate);
      return run && ['DONE', 'FAILED', 'CANCELLED'].includes(run.status) ? run : undefined;
    }, what);
  }

  it('keeps young promotions on arrival and trashes them once they come of age, touching nothing protected, snoozed, personal or merely named like a sender', async () => {
    const promotions = [0, 1, 2].map(() => disposable(rng, OWNER));
    const sender = promotions[0]!.from;
    const sameSender = promotions.map((m) => ({ ...m, from: sender }));
    const starred = { ...disposable(rng, OWNER), from: sender };
    starred.labelIds = [...starred.labelIds, 'STARRED'];
    const labelled = { ...disposable(rng, OWNER), from: sender };
    labelled.labelIds = [...labelled.labelIds, 'Label_1'];
    const person = personal(rng, OWNER);
    const snoozedLater = { ...disposable(rng, OWNER), from: sender };
    const arrivals = [...sameSender, starred, labelled, person, snoozedLater];
    for (const message of arrivals) google.google.deliver(OWNER, message);
    google.google.stats.reset();

    const before = (await runs()).length;
    const push = await fetch(`${scanned.started.url}/push/gmail?token=${PUSH_TOKEN}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(envelope(OWNER, account().historyId)),
    });
    expect(push.status).toBe(204);
    const sync = await waitFor(async () => {
      const all = await runs();
      const [newest] = all;
      return all.length > before && newest?.status === 'DONE' ? newest : undefined;
    }, 'the sync');
    // Young: everything kept, and labels alone said so (nothing read).
    expect(sync.counters).toMatchObject({ processed: 7, trashed: 0, protected: 2, kept: 5 });
    expect(gets()).toBe(0);
    expect(arrivals.some((m) => account().message(m.id)?.labelIds.includes('TRASH'))).toBe(false);

    // A sender never seen before (read once, remembered disposable), then a group relaying
    // mail under its address as display name: attributed to it by `from:`, kept for its age.
    const fresh = {
      name: 'Fresh Deals',
      address: 'news@fresh-deals.example',
      bulk: true,
      listId: '<news.fresh-deals.example>',
    };
    const genuine = { ...disposable(rng, OWNER), from: fresh };
    const lookAlike = {
      ...disposable(rng, OWNER),
      from: {
        name: `'${fresh.address}' via Friends`,
        address: 'friends@groups.example',
        bulk: false,
      },
    };
    for (const round of [[genuine], [lookAlike]]) {
      for (const message of round) google.google.deliver(OWNER, message);
      const count = (await runs()).length;
      await fetch(`${scanned.started.url}/push/gmail?token=${PUSH_TOKEN}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(envelope(OWNER, account().historyId)),
      });
      const kept = await waitFor(async () => {
        const all = await runs();
        return all.length > count && all[0]?.status === 'DONE' ? all[0] : undefined;
      }, 'a sync');
      expect(kept.counters).toMatchObject({ processed: 1, trashed: 0 });
    }

    // The owner snoozes one of them: no label says so, only in:snoozed.
    account().snooze(snoozedLater.threadId);

    // A month and a day later, the daily cron runs the pass.
    offset = 31 * DAY;
    await scanned.started.service.queue.idle();
    google.google.stats.reset();
    const cron = await scanned.started.service.runCron();
    expect(await cron.json()).toMatchObject({ comingOfAge: 1 });
    const pass = await settled(isComingOfAge, 'the coming-of-age run');
    expect(pass).toMatchObject({ kind: 'incremental', status: 'DONE' });
    expect(pass.errors[0]?.message).toMatch(/^Came of age: mail dated .* now older than 30 days/);
    expect(pass.counters.trashed).toBeGreaterThanOrEqual(3);
    expect(
      inTrash(
        google,
        OWNER,
        sameSender.map((m) => m.id),
      ),
    ).toBe(true);
    expect(inTrash(google, OWNER, [genuine.id])).toBe(true);
    for (const kept of [starred, labelled, person, snoozedLater, lookAlike]) {
      expect(account().message(kept.id)?.labelIds).not.toContain('TRASH');
    }
    // Nothing the protection rules cover went to Trash, in the whole mailbox.
    const wronglyTrashed = [...account().messagesAfter(undefined)].filter(
      (m) =>
        m.labelIds.includes('TRASH') &&
        m.labelIds.some(
          (l) => ['STARRED', 'SENT', 'DRAFT', 'CHAT'].includes(l) || !SYSTEM_LABEL_IDS.has(l),
        ),
    );
    expect(wronglyTrashed).toEqual([]);
    const reads = gets();
    console.log(
      `coming of age: ${pass.total} messages looked at again, ${pass.counters.trashed} trashed, ` +
        `${reads} metadata reads, ${google.google.stats.snapshot(OWNER).totalUnits} Gmail units`,
    );

    // The same day again: the pass has run, nothing more happens.
    await scanned.started.service.queue.idle();
    const count = (await runs()).filter(isComingOfAge).length;
    await scanned.started.service.runCron();
    await scanned.started.service.queue.idle();
    expect((await runs()).filter(isComingOfAge)).toHaveLength(count);
  }, 120_000);
});
