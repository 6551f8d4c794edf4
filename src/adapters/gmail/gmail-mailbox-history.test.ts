import { describe, expect, it } from 'vitest';
import { gmailMailboxFixture, OWNER, TOPIC } from '../../../test/helpers/gmail-mailbox-fixture.js';
import { makeIncomingMessage } from '../../local/google/mailbox-generator.js';
import { Random } from '../../local/google/random.js';

// History, labels and watch: how GmailMailbox follows what changes in a mailbox.
describe('GmailMailbox against the simulated Google', () => {
  const fixture = gmailMailboxFixture();
  const { start, intercept } = fixture;

  it('reads added messages from history once each, with their labels, and reports an expired start id', async () => {
    const { mailbox, time } = await start(20);
    const box = mailbox();
    const { historyId: since } = await box.profile();
    const rng = new Random(9);
    const arrived = [0, 1, 2].map((i) =>
      makeIncomingMessage(rng, OWNER, time.now + i, i === 1 ? 'personal' : 'bulk'),
    );
    for (const message of arrived) fixture.sim.google.deliver(OWNER, message);
    await box.trash([arrived[0]!.id]);

    const page = await box.history(since);
    expect(page).not.toBe('expired');
    if (page === 'expired') return;
    expect(page.added.map((m) => m.id)).toEqual(arrived.map((m) => m.id));
    expect(page.added[1]?.labelIds).toContain('INBOX');
    expect(Number(page.historyId)).toBeGreaterThan(Number(since));

    fixture.sim.google.account(OWNER).expireHistory();
    expect(await box.history(since)).toBe('expired');
  });

  it('lists labels with their type, star markers as system labels', async () => {
    const { mailbox } = await start(20);
    const labels = await mailbox().labels();
    expect(labels).toContainEqual({ id: 'STARRED', type: 'system' });
    expect(labels).toContainEqual({ id: 'YELLOW_STAR', type: 'system' });
    expect(labels).toContainEqual({ id: 'Label_1', type: 'user' });
  });

  it('reports the conversations marked since a history id, by marking label, and the labels added', async () => {
    const { mailbox } = await start(40);
    const box = mailbox();
    const { historyId: since } = await box.profile();
    const account = fixture.sim.google.account(OWNER);
    const [starred, labelled, untouched] = [...account.messagesAfter(undefined)].filter(
      (m) => !m.labelIds.some((l) => ['STARRED', 'SENT', 'Label_1', 'RED_BANG'].includes(l)),
    );
    account.modify(starred!, ['RED_BANG'], []);
    account.modify(labelled!, ['Label_1'], []);
    account.modify(untouched!, ['IMPORTANT'], []);
    await box.trash([untouched!.id]);

    const marked = await box.protectedSince(since, [
      { id: 'STARRED', mark: 'starred' },
      { id: 'RED_BANG', mark: 'starred' },
      { id: 'Label_1', mark: 'labelled' },
    ]);
    expect(marked).not.toBe('expired');
    if (marked === 'expired') return;
    expect([...marked.messageIds].sort()).toEqual([starred!.id, labelled!.id].sort());
    expect(marked.marks).toEqual(
      new Map([
        [starred!.threadId, 'starred'],
        [labelled!.threadId, 'labelled'],
      ]),
    );

    const added = await box.labelsAdded(since);
    if (added === 'expired') throw new Error('history expired');
    expect(added.added.map((a) => [a.threadId, a.labelIds])).toEqual([
      [starred!.threadId, ['RED_BANG']],
      [labelled!.threadId, ['Label_1']],
      [untouched!.threadId, ['IMPORTANT']],
      [untouched!.threadId, ['TRASH']],
    ]);
    account.expireHistory();
    expect(await box.protectedSince(since, [{ id: 'STARRED', mark: 'starred' }])).toBe('expired');
    expect(await box.labelsAdded(since)).toBe('expired');
  });

  it('asks for what was marked with one unfiltered history listing when there are many labels', async () => {
    const { mailbox } = await start(40);
    const box = mailbox();
    const { historyId: since } = await box.profile();
    const account = fixture.sim.google.account(OWNER);
    const [labelled, other] = [...account.messagesAfter(undefined)].filter(
      (m) => !m.labelIds.some((l) => l === 'STARRED' || l.startsWith('Label_')),
    );
    account.modify(labelled!, ['Label_3'], []);
    account.modify(other!, ['IMPORTANT'], []);
    const labels = [
      { id: 'STARRED', mark: 'starred' as const },
      ...Array.from({ length: 30 }, (_, i) => ({
        id: `Label_${i + 1}`,
        mark: 'labelled' as const,
      })),
    ];
    const calls = () =>
      fixture.sim.google.stats.snapshot(OWNER).methods['users.history.list']?.calls ?? 0;
    const before = calls();

    const marked = await box.protectedSince(since, labels);
    if (marked === 'expired') throw new Error('history expired');
    expect([...marked.messageIds]).toEqual([labelled!.id]);
    expect(marked.marks).toEqual(new Map([[labelled!.threadId, 'labelled']]));
    // One page for 31 labels, where filtered listings would have cost 31 calls.
    expect(calls() - before).toBe(1);
  });

  it('falls back to listings filtered by label once the unfiltered history is longer than they cost', async () => {
    const { mailbox } = await start(700);
    const box = mailbox();
    const { historyId: since } = await box.profile();
    const account = fixture.sim.google.account(OWNER);
    const unmarked = [...account.messagesAfter(undefined)].filter(
      (m) => !m.labelIds.some((l) => ['STARRED', 'SENT', 'TRASH', 'SPAM', 'Label_1'].includes(l)),
    );
    // More than a page (500) of the service's own trashing, then one starred message.
    await box.trash(unmarked.slice(1, 560).map((m) => m.id));
    account.modify(unmarked[0]!, ['STARRED'], []);
    const calls = () =>
      fixture.sim.google.stats.snapshot(OWNER).methods['users.history.list']?.calls ?? 0;
    const before = calls();

    const marked = await box.protectedSince(since, [
      { id: 'STARRED', mark: 'starred' },
      { id: 'Label_1', mark: 'labelled' },
    ]);
    if (marked === 'expired') throw new Error('history expired');
    expect([...marked.messageIds]).toEqual([unmarked[0]!.id]);
    expect(marked.marks).toEqual(new Map([[unmarked[0]!.threadId, 'starred']]));
    // One unfiltered page, then one listing per label.
    expect(calls() - before).toBe(3);
  });

  it('watches the inbox and stops watching', async () => {
    const { mailbox, time } = await start(5);
    fixture.sim.google.notifier.setTopic(TOPIC, { kind: 'function', deliver: () => {} });
    const box = mailbox();
    const watched = await box.watch(TOPIC);
    expect(watched.expiration).toBeGreaterThan(time.now);
    expect(watched.historyId).toMatch(/^\d+$/);
    expect(fixture.sim.google.account(OWNER).watch).toMatchObject({
      topicName: TOPIC,
      labelIds: ['INBOX'],
      labelFilterBehavior: 'include',
    });
    await box.stop();
    expect(fixture.sim.google.account(OWNER).watch).toBeUndefined();
  });

  it('stops the other watch and watches again when Gmail allows only one', async () => {
    const { mailbox } = await start(5);
    fixture.sim.google.notifier.setTopic(TOPIC, { kind: 'function', deliver: () => {} });
    let refuse = true;
    const endpoints = await intercept((request) => {
      if (!refuse || !new URL(request.url).pathname.endsWith('/watch')) return undefined;
      refuse = false;
      const message =
        'Only one user push notification client allowed per developer (call /stop then try again)';
      return Response.json(
        { error: { code: 400, message, errors: [{ message, reason: 'invalidArgument' }] } },
        { status: 400 },
      );
    });
    const watched = await mailbox({ endpoints }).watch(TOPIC);
    expect(watched.historyId).toMatch(/^\d+$/);
    const stats = fixture.sim.google.stats.snapshot(OWNER);
    expect(stats.methods['users.stop']?.calls).toBe(1);
    expect(stats.methods['users.watch']?.calls).toBe(1);
    expect(fixture.sim.google.account(OWNER).watch?.topicName).toBe(TOPIC);
  });
});
