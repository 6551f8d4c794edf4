import { afterEach, describe, expect, it } from 'vitest';
import { type Listening, listen } from '../../../test/helpers/listen.js';
import {
  type RunningGoogle,
  startSimulatedGoogle,
} from '../../../test/helpers/simulated-google.js';
import { googleEndpoints } from '../google-auth/google-endpoints.js';
import { createGmailClient } from './gmail-client.js';
import { GmailMailbox } from './gmail-mailbox.js';
import { QuotaScheduler } from './quota-scheduler.js';

const OWNER = 'batchless@example.com';
const BUDGET = 60_000;

/** A Gmail stand-in (or a proxy) that serves the API but not its batch path. */
describe('GmailMailbox where the batch path is not served', () => {
  let sim: RunningGoogle;
  let proxy: Listening;
  afterEach(async () => {
    await proxy?.close();
    await sim?.close();
  });

  it('reads metadata call by call, a gone message left out, and never tries the batch path again', async () => {
    sim = await startSimulatedGoogle([{ email: OWNER, mailbox: { size: 60, seed: 8 } }], {
      userUnitsPerMinute: BUDGET,
    });
    let batchRequests = 0;
    proxy = await listen(async (request) => {
      if (new URL(request.url).pathname.startsWith('/batch/')) {
        batchRequests++;
        return new Response('Not Found', { status: 404 });
      }
      return sim.google.app.fetch(request);
    });
    const endpoints = googleEndpoints(proxy.url);
    const auth = sim.authFor(OWNER);
    const box = new GmailMailbox({
      gmail: createGmailClient(auth, endpoints),
      auth,
      endpoints,
      ledger: new QuotaScheduler({ userUnitsPerMinute: BUDGET }),
      userKey: 'user-1',
      units: sim.google.units,
    });
    const account = sim.google.account(OWNER);
    const ids = [...account.messagesAfter(undefined)].slice(0, 30).map((m) => m.id);
    account.delete(account.message(ids[3]!)!);

    const first = await box.getMetadata(ids.slice(0, 20));
    const second = await box.getMetadata(ids.slice(20));

    expect([...first.keys()]).toEqual(ids.slice(0, 20).filter((_, i) => i !== 3));
    expect(first.get(ids[0]!)?.labelIds).toEqual(account.message(ids[0]!)?.labelIds);
    expect(first.get(ids[0]!)?.fromAddress).toBe(
      account.message(ids[0]!)?.from.address.toLowerCase(),
    );
    expect(second.size).toBe(10);
    expect(batchRequests).toBe(1);
    expect(sim.google.stats.snapshot(OWNER).methods['users.messages.get']?.calls).toBe(30);
  });
});
