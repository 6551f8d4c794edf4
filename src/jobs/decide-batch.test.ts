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

type Listed = { id: string; threadId: string };

/**
 * A mailbox whose history says `changed`, whose messages read as `fresh`, and whose exact
 * listings (by label id, or `in:snoozed`) give `listed`.
 */
function fakeMailbox(
  changed: ProtectedSince | 'expired',
  fresh: MessageMeta[] = [],
  listed: Record<string, Listed[]> = {},
): Mailbox {
  const unused = () => Promise.reject(new Error('not expected'));
  return {
    profile: unused,
    labels: async () => [
      { id: 'INBOX', type: 'system' },
      { id: 'STARRED', type: 'system' },
      { id: 'YELLOW_STAR', type: 'system' },
      { id: 'Label_1', type: 'user' },
    ],
    listIds: async (query) => ({
      ids: listed[query.labelIds?.[0] ?? query.q ?? ''] ?? [],
      nextPageToken: undefined,
    }),
    getMetadata: async (ids) =>
      new Map(fresh.filter((m) => ids.includes(m.id)).map((m) => [m.id, m])),
    trash: unused,
    untrash: unused,
    history: unused,
    labelsAdded: unused,
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
      fakeMailbox({ messageIds: new Set(), marks: new Map() }),
      batch,
    );
    expect(decisions.map((d) => d.decision)).toEqual(['trash', 'trash', 'trash']);
    expect(decisions.every((d) => d.sender === 'deals@shop.example' && d.bytes === 2000)).toBe(
      true,
    );
  });

  it('protects what was starred or replied to after the run started', async () => {
    const { deps, user, run, batch } = await setup();
    const changed = { messageIds: new Set(['b']), marks: new Map([['tc', 'sent' as const]]) };
    const { decisions } = await decideBatch(deps, run, user, fakeMailbox(changed), batch);
    expect(decisions.map((d) => [d.decision, d.reason])).toEqual([
      ['trash', expect.any(String)],
      ['protected', 'marked since the scan started'],
      ['protected', 'in a thread you replied to'],
    ]);
  });

  it('protects every message of a conversation starred on another message since the start', async () => {
    const { deps, user, run, batch } = await setup();
    // Gmail stars the newest message of the conversation: one that is not in this batch.
    const changed = {
      messageIds: new Set(['newest']),
      marks: new Map([['tb', 'starred' as const]]),
    };
    const { decisions } = await decideBatch(deps, run, user, fakeMailbox(changed), batch);
    expect(decisions.map((d) => [d.decision, d.reason])).toEqual([
      ['trash', expect.any(String)],
      ['protected', 'in a starred conversation'],
      ['trash', expect.any(String)],
    ]);
    expect(await deps.store.markedThreads(user.id, ['tb'])).toEqual(new Map([['tb', 'starred']]));
  });

  it('protects a conversation snoozed since the start', async () => {
    const { deps, user, run, batch } = await setup();
    const none = { messageIds: new Set<string>(), marks: new Map() };
    const listed = { 'in:snoozed': [{ id: 'other', threadId: 'ta1' }] };
    const { decisions } = await decideBatch(deps, run, user, fakeMailbox(none, [], listed), batch);
    expect(decisions.map((d) => [d.decision, d.reason])).toEqual([
      ['protected', 'in a snoozed conversation'],
      ['trash', expect.any(String)],
      ['trash', expect.any(String)],
    ]);
  });

  it('lists the marks again and applies the keep-list when Gmail no longer has the history', async () => {
    const { deps, user, run, batch } = await setup();
    const kept = { ...user, policy: { ...user.policy, keepSenders: ['friend@people.example'] } };
    // The sender's listing misled: b is really from someone on the keep-list.
    const fresh = [
      { ...sample },
      { ...sample, id: 'b', threadId: 'tb', fromAddress: 'friend@people.example' },
      { ...sample, id: 'c', threadId: 'tc' },
    ];
    const listed = { YELLOW_STAR: [{ id: 'elsewhere', threadId: 'tc' }] };
    const mailbox = fakeMailbox('expired', fresh, listed);
    const { decisions } = await decideBatch(deps, run, kept, mailbox, batch);
    expect(decisions.map((d) => [d.decision, d.reason])).toEqual([
      ['trash', expect.any(String)],
      ['protected', 'sender on your keep-list'],
      ['protected', 'in a starred conversation'],
    ]);
  });

  it('reads the candidates again when Gmail no longer has the history', async () => {
    const { deps, user, run, batch } = await setup();
    const fresh = [
      { ...sample },
      { ...sample, id: 'b', threadId: 'tb', labelIds: ['CATEGORY_PROMOTIONS', 'STARRED'] },
    ];
    const { decisions } = await decideBatch(deps, run, user, fakeMailbox('expired', fresh), batch);
    // 'c' could not be read again: it is gone, and nothing unknown is trashed.
    expect(decisions.map((d) => d.decision)).toEqual(['trash', 'protected', 'protected']);
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
