import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Run } from '../src/domain/model.js';
import { CATCH_UP_REFUSED_NOTE } from '../src/jobs/catch-up-listing.js';
import { SYNC_SEARCH_REFUSED_NOTE } from '../src/jobs/sync-plan.js';
import { Random } from '../src/local/google/random.js';
import type { SimMessage } from '../src/local/google/sim-types.js';
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

const OWNER = 'refused-sync@example.com';
/** Long enough for a sync on a loaded machine; a sync that retries forever never gets there. */
const SETTLE_MS = 30_000;

/**
 * Ongoing cleanup when Gmail answers a search with 400 invalidArgument (an operator it does
 * not take): the sync that attributes new mail by `from:` and the catch-up that lists recent
 * mail with `newer_than:` must still decide every new message and end.
 */
describe('ongoing cleanup when Gmail refuses a search', () => {
  let google: RunningGoogle;
  let scanned: ScannedUser;
  const rng = new Random(5150);
  const account = () => google.google.account(OWNER);
  const store = () => scanned.started.service.store;
  const incremental = async () =>
    (await store().listRuns(scanned.user.id, 100)).filter((r) => r.kind === 'incremental');

  beforeAll(async () => {
    google = await startSimulatedGoogle([{ email: OWNER, mailbox: { size: 300, seed: 31 } }], {
      userUnitsPerMinute: 10_000_000,
    });
    scanned = await scannedService(google, OWNER, {});
  }, 60_000);
  afterAll(async () => {
    await scanned?.started.close();
    await google?.close();
  });
  beforeEach(() => google.google.faults.clear());

  const push = () =>
    fetch(`${scanned.started.url}/push/gmail?token=${PUSH_TOKEN}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(envelope(OWNER, account().historyId)),
    });

  /** New mail from a sender the full scan decided disposable, a starred one of it, and a person's. */
  function arrivals(): { junk: SimMessage[]; starred: SimMessage; person: SimMessage } {
    const decided = [...account().messagesAfter(undefined)].find(
      (m) => m.labelIds.includes('TRASH') && m.labelIds.includes('CATEGORY_PROMOTIONS'),
    );
    if (!decided) throw new Error('the full scan trashed no promotion');
    const junk = [0, 1, 2].map(() => ({ ...disposable(rng, OWNER), from: decided.from }));
    const starred = { ...disposable(rng, OWNER), from: decided.from };
    starred.labelIds = [...starred.labelIds, 'STARRED'];
    return { junk, starred, person: personal(rng, OWNER) };
  }

  /** The runs started since `before`, once every one of them has ended. */
  async function settledSince(before: number): Promise<Run[]> {
    return waitFor(
      async () => {
        const runs = (await incremental()).slice(0, -before || undefined);
        const ended = runs.every((r) => ['DONE', 'CANCELLED', 'FAILED'].includes(r.status));
        return runs.some((r) => r.status === 'DONE') && ended ? runs : undefined;
      },
      'the sync to end',
      SETTLE_MS,
    );
  }

  /** Nothing the protection rules cover went to Trash, in the whole mailbox. */
  function protectedInTrash(): SimMessage[] {
    return [...account().messagesAfter(undefined)].filter(
      (m) =>
        m.labelIds.includes('TRASH') &&
        m.labelIds.some((l) => ['STARRED', 'SENT', 'DRAFT', 'CHAT'].includes(l)),
    );
  }

  /** How many times each message was decided, over the given runs. */
  async function decisionCounts(runs: readonly Run[]): Promise<Map<string, number>> {
    const counts = new Map<string, number>();
    for (const run of runs) {
      for (const batch of await store().listBatches(run.id)) {
        for (const d of batch.decisions) counts.set(d.id, (counts.get(d.id) ?? 0) + 1);
      }
    }
    return counts;
  }

  /**
   * Each new message decided once by the runs `done`, the junk in Trash, the starred and the
   * personal mail not, nothing protected in Trash; the decision counts by id.
   */
  async function expectDecidedOnce(
    done: readonly Run[],
    { junk, starred, person }: ReturnType<typeof arrivals>,
  ): Promise<Map<string, number>> {
    const counts = await decisionCounts(done);
    for (const message of [...junk, starred, person]) expect(counts.get(message.id)).toBe(1);
    expect(inTrash(google, OWNER, [starred.id])).toBe(false);
    expect(inTrash(google, OWNER, [person.id])).toBe(false);
    expect(
      inTrash(
        google,
        OWNER,
        junk.map((m) => m.id),
      ),
    ).toBe(true);
    expect(protectedInTrash()).toEqual([]);
    return counts;
  }

  it('reads and decides every new message once when the from: search is refused, and says so once', async () => {
    const arrived = arrivals();
    const { junk, starred, person } = arrived;
    for (const message of [...junk, starred, person]) google.google.deliver(OWNER, message);
    google.google.faults.inject({ kind: 'refuseQuery', operator: 'from:', email: OWNER });
    const before = (await incremental()).length;

    expect((await push()).status).toBe(204);
    const runs = await settledSince(before);
    const done = runs.filter((r) => r.status === 'DONE');
    expect(done).toHaveLength(1);
    await expectDecidedOnce(done, arrived);
    const notes = done[0]!.errors.map((e) => e.message);
    expect(notes.filter((m) => m === SYNC_SEARCH_REFUSED_NOTE)).toHaveLength(1);
    // The cursor moved past the new mail only once it was decided.
    expect(BigInt((await store().getUser(scanned.user.id))!.cursor!.historyId)).toBeGreaterThan(
      BigInt(done[0]!.startHistoryId ?? '0'),
    );
  }, 60_000);

  it('catches up by listing without a search when Gmail refuses it after history expired, deciding every new message once', async () => {
    const arrived = arrivals();
    const { junk, starred, person } = arrived;
    for (const message of [...junk, starred, person]) google.google.deliver(OWNER, message);
    account().expireHistory();
    google.google.faults.inject({ kind: 'refuseQuery', operator: 'newer_than:', email: OWNER });
    const before = (await incremental()).length;

    expect((await push()).status).toBe(204);
    const runs = await settledSince(before);
    const done = runs.filter((r) => r.status === 'DONE');
    expect(done).toHaveLength(1);
    const counts = await expectDecidedOnce(done, arrived);
    // Every message the catch-up took was decided once, older ones listed with them included.
    expect([...counts.values()].every((n) => n === 1)).toBe(true);
    const notes = done[0]!.errors.map((e) => e.message);
    expect(notes[0]).toMatch(/^Gmail no longer had the history since the last sync/);
    expect(notes.filter((m) => m === CATCH_UP_REFUSED_NOTE)).toHaveLength(1);
    expect(
      BigInt((await store().getUser(scanned.user.id))!.cursor!.historyId),
    ).toBeGreaterThanOrEqual(BigInt(account().historyFloor));
  }, 60_000);
});
