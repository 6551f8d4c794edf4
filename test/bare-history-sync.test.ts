import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Run } from '../src/domain/model.js';
import { makeIncomingMessage } from '../src/local/google/mailbox-generator.js';
import { Random } from '../src/local/google/random.js';
import {
  disposable,
  envelope,
  inTrash,
  PUSH_TOKEN,
  type ScannedUser,
  scannedService,
  waitFor,
} from './helpers/ongoing-cleanup.js';
import { type RunningGoogle, startSimulatedGoogle } from './helpers/simulated-google.js';

const OWNER = 'bare-history@example.com';
const TOPIC = 'projects/demo-clean-that-up/topics/gmail';

/**
 * A Gmail whose history gives new messages with only their id and thread id, as the
 * history.list reference says they typically are: the sync still knows every new message's
 * labels before it decides, so it trashes new junk and never what the owner starred or
 * replied to.
 */
describe('a sync when history gives new messages without their labels', () => {
  let google: RunningGoogle;
  let scanned: ScannedUser;
  const rng = new Random(77);
  const account = () => google.google.account(OWNER);
  const store = () => scanned.started.service.store;

  beforeAll(async () => {
    google = await startSimulatedGoogle([{ email: OWNER, mailbox: { size: 200, seed: 21 } }], {
      userUnitsPerMinute: 10_000_000,
    });
    google.google.notifier.setTopic(TOPIC, { kind: 'function', deliver: () => {} });
    scanned = await scannedService(google, OWNER, { PUBSUB_TOPIC: TOPIC });
    google.google.faults.inject({ kind: 'bareHistory' });
  }, 60_000);
  afterAll(async () => {
    await scanned?.started.close();
    await google?.close();
  });

  async function syncOf(deliver: () => void): Promise<Run> {
    const before = new Set((await store().listRuns(scanned.user.id, 100)).map((r) => r.id));
    deliver();
    const response = await fetch(`${scanned.started.url}/push/gmail?token=${PUSH_TOKEN}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(envelope(OWNER, account().historyId)),
    });
    expect(response.status).toBe(204);
    const run = await waitFor(async () => {
      const runs = await store().listRuns(scanned.user.id, 100);
      const fresh = runs.find((r) => r.kind === 'incremental' && !before.has(r.id));
      return fresh?.status === 'DONE' ? fresh : undefined;
    }, 'the sync run');
    await scanned.started.service.queue.idle();
    return run;
  }

  it('trashes new junk, and keeps new mail starred on arrival and a conversation the owner replied in', async () => {
    // A sender the sync learns is disposable.
    const first = disposable(rng, OWNER);
    await syncOf(() => google.google.deliver(OWNER, first));
    expect(inTrash(google, OWNER, [first.id])).toBe(true);

    const junk = [0, 1].map(() => ({ ...disposable(rng, OWNER), from: first.from }));
    const starred = { ...disposable(rng, OWNER), from: first.from };
    starred.labelIds = [...starred.labelIds, 'STARRED'];
    const thread = { ...disposable(rng, OWNER), from: first.from };
    const reply = {
      ...makeIncomingMessage(rng, OWNER, Date.now(), 'personal'),
      threadId: thread.id,
      labelIds: ['SENT'],
    };
    const run = await syncOf(() => {
      for (const message of [...junk, starred, thread, reply]) {
        google.google.deliver(OWNER, message);
      }
    });

    expect(
      inTrash(
        google,
        OWNER,
        junk.map((m) => m.id),
      ),
    ).toBe(true);
    for (const kept of [starred, thread, reply]) {
      expect(account().message(kept.id)?.labelIds).not.toContain('TRASH');
    }
    const decisions = new Map(
      (await store().listBatches(run.id)).flatMap((b) => b.decisions).map((d) => [d.id, d]),
    );
    expect(decisions.get(starred.id)?.decision).toBe('protected');
    expect(decisions.get(thread.id)?.reason).toBe('in a thread you replied to');
    // The owner's own reply is no business of the cleanup: never queued.
    expect(decisions.has(reply.id)).toBe(false);
  });
});
