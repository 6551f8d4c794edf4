import { describe, expect, it } from 'vitest';
import type { MessageMeta } from '../domain/message.js';
import type { BatchPlan } from '../domain/model.js';
import type { Mailbox } from '../domain/ports.js';
import type { Partition } from '../domain/scan-partitions.js';
import { discoverSenders, type Listed } from './discover-senders.js';

const partition: Partition = {
  key: 'promotions:normal:old',
  query: 'category:promotions',
  facts: { protectedBy: null, category: 'promotions', important: false, old: true },
};

function message(id: string, fromAddress: string, fromName: string): MessageMeta {
  return {
    id,
    threadId: `t-${id}`,
    labelIds: ['CATEGORY_PROMOTIONS'],
    fromAddress,
    fromName,
    subject: 'Sale',
    snippet: '',
    sizeEstimate: 1000,
    internalDate: 0,
    listUnsubscribe: true,
    listId: null,
  };
}

/**
 * A mailbox whose `from:` search matches the address or the display name, as Gmail's does,
 * and honours `-from:`; it records which messages were read.
 */
function searchable(messages: readonly MessageMeta[]) {
  const read: string[] = [];
  const matches = (m: MessageMeta, who: string) =>
    m.fromAddress === who || m.fromName.toLowerCase().includes(who);
  const mailbox = {
    listIds: async ({ q = '' }: { q?: string }) => {
      const wanted = [...q.matchAll(/(?:^| )from:(\S+)/g)].map((x) => x[1]!);
      const unwanted = [...q.matchAll(/-from:(\S+)/g)].map((x) => x[1]!);
      const ids = messages
        .filter((m) => wanted.every((w) => matches(m, w)) && !unwanted.some((u) => matches(m, u)))
        .map((m) => ({ id: m.id, threadId: m.threadId }));
      return { ids, nextPageToken: undefined };
    },
    getMetadata: async (ids: readonly string[]) => {
      read.push(...ids);
      return new Map(messages.filter((m) => ids.includes(m.id)).map((m) => [m.id, m]));
    },
  } as unknown as Mailbox;
  return { mailbox, read };
}

async function discover(messages: readonly MessageMeta[], seed = 'run-1') {
  const { mailbox, read } = searchable(messages);
  const batches: { ids: string[]; plan: BatchPlan }[] = [];
  const save = async (ids: readonly Listed[], plan: (chunk: readonly Listed[]) => BatchPlan) => {
    if (ids.length > 0) batches.push({ ids: ids.map((m) => m.id), plan: plan(ids) });
    return true;
  };
  const members = messages.map((m) => ({ id: m.id, threadId: m.threadId }));
  await discoverSenders(mailbox, partition, members, save, { readsText: false, seed });
  return { batches, read };
}

describe('discoverSenders', () => {
  it('checks a sender’s listing with a second member read at random', async () => {
    const mail = ['a', 'b', 'c', 'd', 'e'].map((id) => message(id, 'deals@shop.example', 'Shop'));
    const seen = new Set<string>();
    for (const seed of ['run-1', 'run-2', 'run-3', 'run-4', 'run-5', 'run-6']) {
      const { batches, read } = await discover(mail, seed);
      expect(batches).toHaveLength(1);
      expect(batches[0]!.ids).toEqual(['a', 'b', 'c', 'd', 'e']);
      const plan = batches[0]!.plan;
      expect(plan.kind === 'sender' && plan.samples.map((s) => s.id)).toEqual(read);
      expect(read).toHaveLength(2);
      seen.add(read[1]!);
    }
    // Not always the oldest: the member re-read varies with the run.
    expect(seen.size).toBeGreaterThan(1);
  });

  it('decides on its own the mail of a list whose display name holds the sender’s address', async () => {
    const mail = [
      message('a', 'alice@people.example', 'Alice'),
      message('b', 'club@lists.example', "'alice@people.example' via Club"),
      message('c', 'club@lists.example', "'alice@people.example' via Club"),
      message('d', 'club@lists.example', "'alice@people.example' via Club"),
    ];
    const { batches } = await discover(mail);
    const bySender = batches.map((b) => [
      b.plan.kind === 'sender' ? b.plan.sender : b.plan.kind,
      b.ids,
    ]);
    expect(bySender).toEqual([
      ['alice@people.example', ['a']],
      ['club@lists.example', ['b', 'c', 'd']],
    ]);
  });

  it('reads the group when the member read is gone and the listing cannot be checked', async () => {
    const mail = [message('a', 'deals@shop.example', 'Shop'), message('b', '', '')];
    const { mailbox } = searchable([mail[0]!]);
    const batches: BatchPlan[] = [];
    const members = [
      { id: 'a', threadId: 't-a' },
      { id: 'b', threadId: 't-b' },
    ];
    const listing = {
      ...mailbox,
      listIds: async () => ({ ids: members, nextPageToken: undefined }),
    };
    await discoverSenders(
      listing as Mailbox,
      partition,
      members,
      async (ids, plan) => {
        if (ids.length > 0) batches.push(plan(ids));
        return true;
      },
      { readsText: false, seed: 'run-1' },
    );
    expect(batches.map((b) => b.kind)).toEqual(['read']);
  });

  it('groups a person’s mail with one listing, reads one sample, and marks a correspondent', async () => {
    const person = (id: string, fromAddress = 'kim@people.example') => ({
      ...message(id, fromAddress, fromAddress.slice(0, 3)),
      labelIds: ['CATEGORY_PERSONAL'],
      listUnsubscribe: false,
    });
    const kim = [person('a'), person('b'), person('c'), person('d')];
    const lee = [person('e', 'lee@people.example'), person('f', 'lee@people.example')];
    const { mailbox, read } = searchable([...kim, ...lee]);
    const batches: { ids: string[]; plan: BatchPlan }[] = [];
    const asked: string[] = [];
    const lookups: string[][] = [];
    await discoverSenders(
      mailbox,
      { ...partition, facts: { ...partition.facts, category: 'personal' } },
      [...kim, ...lee].map((m) => ({ id: m.id, threadId: m.threadId })),
      async (ids, plan) => {
        if (ids.length > 0) batches.push({ ids: ids.map((m) => m.id), plan: plan(ids) });
        return true;
      },
      {
        readsText: true,
        seed: 'run-1',
        correspondence: {
          mailOf: async (sender) => {
            asked.push(sender);
            return sender === 'kim@people.example'
              ? { ids: new Set(['a', 'b', 'c', 'd']), threads: ['t1'] }
              : { ids: new Set(['e', 'f']), threads: ['t2'] };
          },
          repliedTo: async (senders) => {
            lookups.push([...senders]);
            return new Set(senders.filter((s) => s === 'kim@people.example'));
          },
        },
      },
    );
    expect(asked).toEqual(['kim@people.example', 'lee@people.example']);
    // Whether the owner replied is asked once for both people met in a row.
    expect(lookups).toEqual([['kim@people.example', 'lee@people.example']]);
    // One read each: Kim's first message (to learn the sender), Lee's sample.
    expect(read).toEqual(['a', 'e']);
    expect(batches.map((b) => [b.plan.kind, b.ids])).toEqual([
      ['sender', ['a', 'b', 'c', 'd']],
      ['sender', ['e', 'f']],
    ]);
    const [kims, lees] = batches.map((b) => b.plan);
    expect(kims).toMatchObject({ sender: 'kim@people.example', correspondent: true });
    expect(lees?.kind === 'sender' && lees.samples.map((m) => m.id)).toEqual(['e']);
    expect(lees).not.toHaveProperty('correspondent');
  });
});
