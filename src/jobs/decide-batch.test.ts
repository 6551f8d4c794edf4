import { describe, expect, it } from 'vitest';
import { aRun, aUser } from '../../test/contract/store-contract.js';
import type { MessageMeta } from '../domain/message.js';
import type { Batch, BatchPlan } from '../domain/model.js';
import { ZERO_USAGE } from '../domain/model.js';
import type { Mailbox, ProtectedSince } from '../domain/ports.js';
import { RulesClassifier } from '../domain/rules-classifier.js';
import { openDatabase } from '../local/sqlite/open-database.js';
import { SqliteStore } from '../local/sqlite/sqlite-store.js';
import { silentLogger } from '../log.js';
import { decideBatch } from './decide-batch.js';
import type { JobDeps } from './job-deps.js';

const STARTED = Date.UTC(2026, 10, 1);
const sample: MessageMeta = {
  id: 'a1',
  threadId: 'ta1',
  labelIds: ['CATEGORY_PROMOTIONS'],
  fromAddress: 'deals@shop.example',
  fromName: 'Shop',
  subject: 'Sale',
  snippet: '',
  sizeEstimate: 2000,
  internalDate: STARTED - 90 * 86_400_000,
  listUnsubscribe: true,
  listId: '<deals.shop.example>',
};
const plan: BatchPlan = {
  kind: 'sender',
  facts: { protectedBy: null, category: 'promotions', important: false, old: true },
  threadIds: ['ta1', 'tb', 'tc'],
  sender: 'deals@shop.example',
  samples: [sample],
};

function fakeMailbox(changed: ProtectedSince | 'expired', fresh: MessageMeta[] = []): Mailbox {
  const unused = () => Promise.reject(new Error('not expected'));
  return {
    profile: unused,
    listIds: unused,
    getMetadata: async (ids) =>
      new Map(fresh.filter((m) => ids.includes(m.id)).map((m) => [m.id, m])),
    trash: unused,
    untrash: unused,
    history: unused,
    protectedSince: async () => changed,
    watch: unused,
    stop: unused,
  };
}

async function setup() {
  const store = new SqliteStore(openDatabase(':memory:'));
  const user = aUser();
  await store.putUser(user);
  const run = aRun({ userId: user.id, startedAt: STARTED, startHistoryId: '500' });
  const deps = {
    store,
    classifierFor: async () => new RulesClassifier(),
    clock: { now: () => STARTED },
    log: silentLogger,
  } as unknown as JobDeps;
  const batch: Batch = {
    runId: run.id,
    batchNo: 0,
    messageIds: ['a1', 'b', 'c'],
    nextPageToken: null,
    listedThrough: 3,
    status: 'pending',
    decisions: [],
    llm: ZERO_USAGE,
    plan,
  };
  return { deps, user, run, batch };
}

describe('decideBatch for a batch of the scan by sender', () => {
  it('trashes a list sender’s old promotions without reading them', async () => {
    const { deps, user, run, batch } = await setup();
    const { decisions } = await decideBatch(
      deps,
      run,
      user,
      fakeMailbox({ messageIds: new Set(), threadIds: new Set() }),
      batch,
    );
    expect(decisions.map((d) => d.decision)).toEqual(['trash', 'trash', 'trash']);
    expect(decisions.every((d) => d.sender === 'deals@shop.example' && d.bytes === 2000)).toBe(
      true,
    );
  });

  it('marks a protected part protected without any Gmail call', async () => {
    const { deps, user, run, batch } = await setup();
    const protectedBatch = { ...batch, plan: { kind: 'protected' as const, reason: 'starred' } };
    const { decisions } = await decideBatch(
      deps,
      run,
      user,
      fakeMailbox('expired'),
      protectedBatch,
    );
    expect(decisions.map((d) => [d.decision, d.reason])).toEqual([
      ['protected', 'starred'],
      ['protected', 'starred'],
      ['protected', 'starred'],
    ]);
  });
});
