import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isComingOfAge, PASS_SKIPPED_NOTE } from '../src/domain/coming-of-age-log.js';
import type { Run } from '../src/domain/model.js';
import { Random } from '../src/local/google/random.js';
import {
  disposable,
  inTrash,
  personal,
  type ScannedUser,
  scannedService,
  waitFor,
} from './helpers/ongoing-cleanup.js';
import { type RunningGoogle, startSimulatedGoogle } from './helpers/simulated-google.js';

const OWNER = 'refused-aging@example.com';
const DAY = 86_400_000;
/** Long enough for a pass on a loaded machine; a pass that retries forever never gets there. */
const SETTLE_MS = 30_000;

/**
 * The daily coming-of-age pass when Gmail answers one of its searches with 400
 * invalidArgument: the pass ends for the day, says so, keeps the mail, and the next day's pass
 * looks at the same mail again. The service's clock is moved forward; Gmail's dates are real.
 */
describe('the coming-of-age pass when Gmail refuses a search', () => {
  let google: RunningGoogle;
  let scanned: ScannedUser;
  let offset = 0;
  const clock = { now: () => Date.now() + offset };
  const rng = new Random(6061);
  const account = () => google.google.account(OWNER);
  const store = () => scanned.started.service.store;
  const runs = async () => store().listRuns(scanned.user.id, 100);
  const passes = async () => (await runs()).filter(isComingOfAge);

  beforeAll(async () => {
    google = await startSimulatedGoogle([{ email: OWNER, mailbox: { size: 300, seed: 44 } }], {
      userUnitsPerMinute: 10_000_000,
    });
    scanned = await scannedService(google, OWNER, {}, { clock, minAgeDays: 30 });
  }, 60_000);
  afterAll(async () => {
    await scanned?.started.close();
    await google?.close();
  });

  /** The newest pass once there are `count` and it has ended. */
  async function settledPass(count: number): Promise<Run> {
    return waitFor(
      async () => {
        const all = await passes();
        const [newest] = all;
        const ended = newest && ['DONE', 'FAILED', 'CANCELLED'].includes(newest.status);
        return all.length >= count && ended ? newest : undefined;
      },
      'the coming-of-age pass',
      SETTLE_MS,
    );
  }

  it('skips the day with a plain note, keeps the mail, and looks at it again the next day', async () => {
    const promotions = [0, 1, 2].map(() => disposable(rng, OWNER));
    const sender = promotions[0]!.from;
    const junk = promotions.map((m) => ({ ...m, from: sender }));
    const starred = { ...disposable(rng, OWNER), from: sender };
    starred.labelIds = [...starred.labelIds, 'STARRED'];
    const person = personal(rng, OWNER);
    for (const message of [...junk, starred, person]) google.google.deliver(OWNER, message);
    // Young mail: the on-demand sync keeps it all for its age.
    const answer = await scanned.started.client.post('/app/sync', {});
    const syncId = (answer.headers.get('location') ?? '').replace('/runs/', '');
    const sync = await waitFor(async () => {
      const run = await store().getRun(syncId);
      return run?.status === 'DONE' ? run : undefined;
    }, 'the sync');
    expect(sync.counters).toMatchObject({ processed: 5, trashed: 0 });

    // A month and a day later, Gmail refuses the date operator every part's search uses.
    offset = 31 * DAY;
    await scanned.started.service.queue.idle();
    google.google.faults.inject({ kind: 'refuseQuery', operator: 'after:', email: OWNER });
    await scanned.started.service.runCron();
    const skipped = await settledPass(1);
    expect(skipped).toMatchObject({ status: 'DONE', total: 0 });
    expect(skipped.errors.map((e) => e.message)).toEqual([PASS_SKIPPED_NOTE]);
    expect(skipped.counters).toMatchObject({ processed: 0, trashed: 0 });
    for (const message of [...junk, starred, person]) {
      expect(account().message(message.id)?.labelIds).not.toContain('TRASH');
    }

    // The same day again: the skipped pass counts, no second one.
    await scanned.started.service.queue.idle();
    await scanned.started.service.runCron();
    await scanned.started.service.queue.idle();
    expect(await passes()).toHaveLength(1);

    // The next day Gmail takes the search again: the pass covers the skipped day's mail too.
    google.google.faults.clear();
    offset = 32 * DAY;
    await scanned.started.service.runCron();
    const pass = await settledPass(2);
    expect(pass.status).toBe('DONE');
    expect(pass.errors[0]?.message).toMatch(/^Came of age: mail dated .* now older than 30 days/);
    expect(
      inTrash(
        google,
        OWNER,
        junk.map((m) => m.id),
      ),
    ).toBe(true);
    expect(account().message(starred.id)?.labelIds).not.toContain('TRASH');
    expect(account().message(person.id)?.labelIds).not.toContain('TRASH');
    // Each message that came of age was decided once by the pass.
    const decided = (await store().listBatches(pass.id)).flatMap((b) => b.decisions);
    const ids = decided.map((d) => d.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const message of junk) expect(ids.filter((id) => id === message.id)).toHaveLength(1);
  }, 120_000);
});
