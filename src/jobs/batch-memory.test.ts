import { describe, expect, it } from 'vitest';
import { aCountedStore } from '../../test/helpers/counted-store.js';
import type { SenderDecision } from '../domain/model.js';
import { batchMemory } from './batch-memory.js';

const USER = 'user-1';

const decision = (senderKey: string, action: SenderDecision['action']): SenderDecision => ({
  senderKey,
  action,
  reason: `${action} it`,
  policyVersion: 1,
  decidedAt: 1_000,
});

describe('batchMemory', () => {
  it('answers every part about the planned conversations from one read of the store', async () => {
    const { store, calls } = aCountedStore();
    await store.addMarkedThreads(USER, new Map([['t1', 'starred' as const]]));
    await store.addMarkedThreads(USER, new Map([['t3', 'sent' as const]]));
    const memory = await batchMemory(store, USER, ['t1', 't2', 't3'], []);

    expect(await memory.store.markedThreads(USER, ['t1', 't2'])).toEqual(
      new Map([['t1', 'starred']]),
    );
    expect(await memory.store.markedThreads(USER, ['t2', 't3'])).toEqual(new Map([['t3', 'sent']]));
    expect(await memory.store.markedThreads(USER, ['t2'])).toEqual(new Map());
    expect(calls.markedThreads).toBe(1);
  });

  it('answers from the marks the plan saved with the batch without reading the store', async () => {
    const { store, calls } = aCountedStore();
    // Marked in the store since the plan saved the batch: the check before Trash finds it.
    await store.addMarkedThreads(USER, new Map([['t2', 'labelled' as const]]));
    const memory = await batchMemory(store, USER, ['t1', 't2'], [], { t1: 'starred' });

    expect(await memory.store.markedThreads(USER, ['t1', 't2'])).toEqual(
      new Map([['t1', 'starred']]),
    );
    expect(calls.markedThreads ?? 0).toBe(0);
    // A conversation the plan did not name is still read.
    await store.addMarkedThreads(USER, new Map([['t9', 'sent' as const]]));
    expect(await memory.store.markedThreads(USER, ['t9'])).toEqual(new Map([['t9', 'sent']]));
    expect(calls.markedThreads).toBe(1);
  });

  it('reads a conversation the plan did not name when a part asks, and only once', async () => {
    const { store, calls } = aCountedStore();
    await store.addMarkedThreads(USER, new Map([['t9', 'labelled' as const]]));
    const memory = await batchMemory(store, USER, ['t1'], []);

    expect(await memory.store.markedThreads(USER, ['t1', 't9'])).toEqual(
      new Map([['t9', 'labelled']]),
    );
    expect(await memory.store.markedThreads(USER, ['t9'])).toEqual(new Map([['t9', 'labelled']]));
    expect(calls.markedThreads).toBe(2);
  });

  it('reads each sender decision once, found or not, and shows what the batch decides since', async () => {
    const { store, calls } = aCountedStore();
    await store.putSenderDecisions(USER, [decision('a@x.example|promotions', 'trash')]);
    const memory = await batchMemory(store, USER, [], ['a@x.example|promotions', 'b@y.example|']);

    const keys = ['a@x.example|promotions', 'b@y.example|'];
    const first = await memory.store.getSenderDecisions(USER, keys);
    expect(first.get('a@x.example|promotions')?.action).toBe('trash');
    expect(first.has('b@y.example|')).toBe(false);
    // The batch's classifier caches what it decides through the memory (ClassifyInput.senders).
    await memory.store.putSenderDecisions(USER, [decision('b@y.example|', 'keep')]);
    const second = await memory.store.getSenderDecisions(USER, keys);
    expect(second.get('b@y.example|')?.action).toBe('keep');
    expect(calls.getSenderDecisions).toBe(1);
  });

  it('shows the sender decisions parts remember at once, and writes them all in one call when saved', async () => {
    const { store, calls } = aCountedStore();
    const memory = await batchMemory(store, USER, [], []);
    await memory.store.putSenderDecisions(USER, [decision('a@x.example|social', 'trash')]);
    await memory.store.putSenderDecisions(USER, [decision('b@y.example|social', 'keep')]);

    expect(
      (await memory.store.getSenderDecisions(USER, ['a@x.example|social'])).get(
        'a@x.example|social',
      )?.action,
    ).toBe('trash');
    expect(await store.getSenderDecisions(USER, ['a@x.example|social'])).toEqual(new Map());

    await memory.save();
    const saved = await store.getSenderDecisions(USER, [
      'a@x.example|social',
      'b@y.example|social',
    ]);
    expect([...saved.keys()].sort()).toEqual(['a@x.example|social', 'b@y.example|social']);
    expect(calls.putSenderDecisions).toBe(1);
    await memory.save();
    expect(calls.putSenderDecisions).toBe(1);
  });

  it('passes other users and every other method straight to the store', async () => {
    const { store } = aCountedStore();
    await store.addMarkedThreads('user-2', new Map([['t1', 'draft' as const]]));
    const memory = await batchMemory(store, USER, ['t1'], []);

    expect(await memory.store.markedThreads('user-2', ['t1'])).toEqual(new Map([['t1', 'draft']]));
    await memory.store.putSenderDecisions('user-2', [decision('c@z.example|', 'keep')]);
    expect((await store.getSenderDecisions('user-2', ['c@z.example|'])).size).toBe(1);
    expect(await memory.store.getUser('nobody')).toBeUndefined();
  });
});
