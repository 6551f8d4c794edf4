import { afterEach, describe, expect, it } from 'vitest';
import {
  type RunningGoogle,
  startSimulatedGoogle,
} from '../../../test/helpers/simulated-google.js';
import { makeIncomingMessage } from '../../local/google/mailbox-generator.js';
import { Random } from '../../local/google/random.js';
import { createGmailClient } from './gmail-client.js';
import { GmailMailbox } from './gmail-mailbox.js';
import { QuotaScheduler } from './quota-scheduler.js';

const OWNER = 'bare@example.com';
const BUDGET = 6_000;

/**
 * The history.list reference says its records' messages "will typically only have `id` and
 * `threadId` fields populated". Labels Gmail leaves out are never taken for "no labels".
 */
describe('GmailMailbox when history gives messages without their labels', () => {
  let sim: RunningGoogle;
  afterEach(async () => {
    await sim?.close();
  });

  async function start() {
    sim = await startSimulatedGoogle([{ email: OWNER, mailbox: { size: 40, seed: 5 } }], {
      userUnitsPerMinute: BUDGET,
    });
    sim.google.faults.inject({ kind: 'bareHistory' });
    const auth = sim.authFor(OWNER);
    const box = new GmailMailbox({
      gmail: createGmailClient(auth, sim.endpoints),
      auth,
      endpoints: sim.endpoints,
      ledger: new QuotaScheduler({ userUnitsPerMinute: BUDGET }),
      userKey: 'user-1',
      units: sim.google.units,
    });
    const methods = () => sim.google.stats.snapshot(OWNER).methods;
    return { box, account: sim.google.account(OWNER), methods };
  }

  it('reads the labels of new messages history gave bare, and leaves out one deleted since', async () => {
    const { box, account, methods } = await start();
    const { historyId: since } = await box.profile();
    const rng = new Random(9);
    const arrived = [0, 1, 2].map((i) =>
      makeIncomingMessage(rng, OWNER, Date.now() + i, i === 1 ? 'personal' : 'bulk'),
    );
    for (const message of arrived) sim.google.deliver(OWNER, message);
    account.modify(account.message(arrived[0]!.id)!, ['STARRED'], []);
    account.delete(account.message(arrived[2]!.id)!);
    const gets = () => methods()['users.messages.get']?.calls ?? 0;
    const before = gets();

    const page = await box.history(since);
    if (page === 'expired') throw new Error('history expired');
    expect(page.added.map((m) => m.id)).toEqual([arrived[0]!.id, arrived[1]!.id]);
    expect(page.added[0]?.labelIds).toContain('STARRED');
    expect(page.added[1]?.labelIds).toEqual(account.message(arrived[1]!.id)?.labelIds);
    expect(gets() - before).toBe(3);
  });

  it('asks for what was marked label by label when new messages come bare', async () => {
    const { box, account, methods } = await start();
    const { historyId: since } = await box.profile();
    const starredOnArrival = makeIncomingMessage(new Random(3), OWNER, Date.now(), 'personal');
    sim.google.deliver(OWNER, { ...starredOnArrival, labelIds: ['INBOX', 'STARRED'] });
    const listings = () => methods()['users.history.list']?.calls ?? 0;
    const before = listings();

    const marked = await box.protectedSince(since, [
      { id: 'STARRED', mark: 'starred' },
      { id: 'Label_1', mark: 'labelled' },
    ]);
    if (marked === 'expired') throw new Error('history expired');
    expect([...marked.messageIds]).toEqual([starredOnArrival.id]);
    expect(marked.marks).toEqual(new Map([[starredOnArrival.threadId, 'starred']]));
    // The unfiltered page could not tell, then one listing per label.
    expect(listings() - before).toBe(3);
    expect(account.message(starredOnArrival.id)?.labelIds).toContain('STARRED');
  });
});
