import { describe, expect, it } from 'vitest';
import { aRun, aUser } from '../../test/contract/store-contract.js';
import type { MessageMeta } from '../domain/message.js';
import type { Batch, BatchPlan, Run, User } from '../domain/model.js';
import { ZERO_USAGE } from '../domain/model.js';
import type { Classifier, ClassifierAnswer, Mailbox, ProtectedSince } from '../domain/ports.js';
import { RulesClassifier } from '../domain/rules-classifier.js';
import { openDatabase } from '../local/sqlite/open-database.js';
import { SqliteStore } from '../local/sqlite/sqlite-store.js';
import { silentLogger } from '../log.js';
import { decideBatch } from './decide-batch.js';
import type { JobDeps } from './job-deps.js';
import { guardBeforeTrash } from './trash-guard.js';

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
    headers: unused,
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

/** As the batch task does: decisions first, then the last check before Trash. */
async function decideThenGuard(
  deps: JobDeps,
  run: Run,
  user: User,
  mailbox: Mailbox,
  batch: Batch,
) {
  const decided = await decideBatch(deps, run, user, mailbox, batch);
  return {
    ...decided,
    decisions: await guardBeforeTrash(deps, run, user, mailbox, decided.decisions),
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

describe('decideBatch with senders the owner unsubscribed from', () => {
  it('trashes their mail without the classifier, but never past a protection rule', async () => {
    const { deps, user, run, batch } = await setup();
    const young = STARTED - 2 * 86_400_000;
    const fresh: MessageMeta[] = [
      { ...sample, id: 'a1', internalDate: young },
      { ...sample, id: 'b', threadId: 'tb', labelIds: ['CATEGORY_PROMOTIONS', 'STARRED'] },
      {
        ...sample,
        id: 'c',
        threadId: 'tc',
        fromAddress: 'other@shop.example',
        internalDate: young,
      },
    ];
    const unsubscribed = {
      ...user,
      policy: {
        ...user.policy,
        alwaysTrash: [
          { sender: 'deals@shop.example', unsubscribe: 'unsubscribed' as const, at: 1 },
        ],
      },
    };
    const { decisions } = await decideBatch(
      deps,
      run,
      unsubscribed,
      fakeMailbox('expired', fresh),
      { ...batch, plan: null },
    );
    expect(decisions.map((d) => [d.decision, d.reason])).toEqual([
      ['trash', 'you unsubscribed from this sender'],
      ['protected', 'starred'],
      ['keep', 'newer than 30 days'],
    ]);
  });
});

describe('decideBatch and the check before Trash for a batch of the scan by sender', () => {
  it('trashes a list sender’s old promotions without reading them', async () => {
    const { deps, user, run, batch } = await setup();
    const { decisions } = await decideThenGuard(
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
    const { decisions } = await decideThenGuard(deps, run, user, fakeMailbox(changed), batch);
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
    const { decisions } = await decideThenGuard(deps, run, user, fakeMailbox(changed), batch);
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
    const { decisions } = await decideThenGuard(
      deps,
      run,
      user,
      fakeMailbox(none, [], listed),
      batch,
    );
    expect(decisions.map((d) => [d.decision, d.reason])).toEqual([
      ['protected', 'in a snoozed conversation'],
      ['trash', expect.any(String)],
      ['trash', expect.any(String)],
    ]);
  });

  it('reads again a trash candidate saved without its thread id before checking its conversation', async () => {
    const { deps, user, run } = await setup();
    await deps.store.addMarkedThreads(user.id, new Map([['tb', 'labelled' as const]]));
    const saved = [
      { id: 'b', decision: 'trash' as const, reason: 'LLM: bulk', sender: null, bytes: 10 },
    ];
    const none = { messageIds: new Set<string>(), marks: new Map() };
    const fresh = [{ ...sample, id: 'b', threadId: 'tb' }];
    const decisions = await guardBeforeTrash(deps, run, user, fakeMailbox(none, fresh), saved);
    expect(decisions.map((d) => [d.decision, d.reason])).toEqual([
      ['protected', 'in a conversation with one of your labels'],
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
    const { decisions } = await decideThenGuard(deps, run, kept, mailbox, batch);
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
    const { decisions } = await decideThenGuard(
      deps,
      run,
      user,
      fakeMailbox('expired', fresh),
      batch,
    );
    // 'c' could not be read again: it is gone, and nothing unknown is trashed.
    expect(decisions.map((d) => d.decision)).toEqual(['trash', 'protected', 'protected']);
  });

  it('marks a protected part protected without any Gmail call', async () => {
    const { deps, user, run, batch } = await setup();
    const protectedBatch = { ...batch, plan: { kind: 'protected' as const, reason: 'starred' } };
    const { decisions } = await decideThenGuard(
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

describe('decideBatch when the classifier cannot decide', () => {
  it('asks again with the batch, then counts what it still cannot decide as failed, saying why in the log', async () => {
    const { deps, user, run, batch } = await setup();
    await deps.store.createRun(run);
    const asked: string[][] = [];
    // a1 fails once and is decided on the second try; b times out every time.
    const flaky: Classifier = {
      classify: async ({ messages }) => {
        asked.push(messages.map((m) => m.id));
        const answers = new Map<string, ClassifierAnswer>();
        for (const m of messages) {
          answers.set(
            m.id,
            m.id === 'a1' && asked.length > 1
              ? { action: 'trash', reason: 'LLM: bulk mail' }
              : { action: 'keep', reason: 'kept: LLM timed out', failed: true },
          );
        }
        return { answers, usage: ZERO_USAGE };
      },
    };
    const flakyDeps: JobDeps = { ...deps, classifierFor: async () => flaky };
    const fresh = [sample, { ...sample, id: 'b', threadId: 'tb' }];
    const none = { messageIds: new Set<string>(), marks: new Map() };
    const read = { ...batch, messageIds: ['a1', 'b'], plan: null };
    const mailbox = fakeMailbox(none, fresh);
    const { decisions } = await decideThenGuard(flakyDeps, run, user, mailbox, read);
    expect(decisions.map((d) => [d.id, d.decision, d.reason])).toEqual([
      ['a1', 'trash', 'LLM: bulk mail'],
      ['b', 'failed', 'kept: LLM timed out'],
    ]);
    expect(asked).toEqual([
      ['a1', 'b'],
      ['a1', 'b'],
    ]);
    const logged = (await deps.store.getRun(run.id))!.errors.map((e) => e.message);
    expect(logged).toEqual([
      '1 message could not be decided, even on a second try (LLM timed out): left in place and counted as failed.',
    ]);
  });
});

describe('decideBatch with a packed batch', () => {
  it('asks the classifier once for what its parts judge one by one, and still protects what it must', async () => {
    const { deps, user, run, batch } = await setup();
    const asked: string[][] = [];
    const trashAll: Classifier = {
      classify: async (input) => {
        asked.push(input.messages.map((m) => m.id));
        const answers = new Map<string, ClassifierAnswer>(
          input.messages.map((m) => [m.id, { action: 'trash', reason: 'LLM: trash everything' }]),
        );
        return { answers, usage: { ...ZERO_USAGE, calls: 1 } };
      },
    };
    const person = (id: string, labels: string[] = ['CATEGORY_PERSONAL']): MessageMeta => ({
      ...sample,
      id,
      threadId: `t${id}`,
      labelIds: labels,
      fromAddress: `${id}@people.example`,
      listUnsubscribe: false,
      listId: null,
    });
    const fresh = [person('r1'), person('r2'), person('r3', ['CATEGORY_PERSONAL', 'STARRED'])];
    const packed: Batch = {
      ...batch,
      messageIds: ['r1', 'p1', 'r2', 'r3'],
      plan: {
        kind: 'packed',
        parts: [
          { count: 1, plan: { kind: 'read' } },
          { count: 1, plan: { kind: 'protected', reason: 'starred conversation' } },
          { count: 2, plan: { kind: 'read' } },
        ],
      },
    };
    const withLlm = { ...deps, classifierFor: async () => trashAll };

    const result = await decideBatch(withLlm, run, user, fakeMailbox('expired', fresh), packed);

    expect(asked).toEqual([['r1', 'r2']]);
    expect(result.llm.calls).toBe(1);
    expect(result.decisions.map((d) => [d.id, d.decision])).toEqual([
      ['r1', 'trash'],
      ['p1', 'protected'],
      ['r2', 'trash'],
      ['r3', 'protected'],
    ]);
  });
});

describe('decideBatch with a person’s mail, for a classifier that reads text', () => {
  it('reads only what the sample did not show, and trashes nothing protected whatever it is told', async () => {
    const { deps, user, run, batch } = await setup();
    const trashAll: Classifier = {
      scanBySender: { needsSender: () => true, readsText: true },
      classify: async (input) => {
        const answers = new Map<string, ClassifierAnswer>(
          input.messages.map((m) => [m.id, { action: 'trash', reason: 'LLM: trash everything' }]),
        );
        return { answers, usage: { ...ZERO_USAGE, calls: 1 } };
      },
    };
    const person = (id: string, labels: string[] = ['CATEGORY_PERSONAL']): MessageMeta => ({
      ...sample,
      id,
      threadId: `t${id}`,
      labelIds: labels,
      fromAddress: 'lee@people.example',
      listUnsubscribe: false,
      listId: null,
    });
    const fresh = [person('r1'), person('r2'), person('r3', ['CATEGORY_PERSONAL', 'STARRED'])];
    const read: string[] = [];
    const mailbox = fakeMailbox('expired', fresh);
    const reading: Mailbox = {
      ...mailbox,
      getMetadata: (ids) => {
        read.push(...ids);
        return mailbox.getMetadata(ids);
      },
    };
    const stranger: Batch = {
      ...batch,
      messageIds: ['r1', 'r2', 'r3'],
      plan: {
        kind: 'sender',
        facts: { protectedBy: null, category: 'personal', important: false, old: true },
        threadIds: ['tr1', 'tr2', 'tr3'],
        sender: 'lee@people.example',
        samples: [fresh[0]!],
        // Even someone the owner replied to: a trashed sample makes the rest be read.
        correspondent: true,
      },
    };
    const withLlm = { ...deps, classifierFor: async () => trashAll };

    const result = await decideBatch(withLlm, run, user, reading, stranger);

    expect(read).toEqual(['r2', 'r3']);
    expect(result.decisions.map((d) => [d.id, d.decision])).toEqual([
      ['r1', 'trash'],
      ['r2', 'trash'],
      ['r3', 'protected'],
    ]);
  });

  it('keeps a correspondent’s mail unread when the classifier keeps the sample', async () => {
    const { deps, user, run, batch } = await setup();
    const keepAll: Classifier = {
      scanBySender: { needsSender: () => true, readsText: true },
      classify: async (input) => ({
        answers: new Map(
          input.messages.map((m) => [m.id, { action: 'keep', reason: 'LLM: a friend' }]),
        ),
        usage: { ...ZERO_USAGE, calls: 1 },
      }),
    };
    const kim: MessageMeta = {
      ...sample,
      id: 'k1',
      threadId: 'tk1',
      labelIds: ['CATEGORY_PERSONAL'],
      fromAddress: 'kim@people.example',
      listUnsubscribe: false,
      listId: null,
    };
    const read: string[] = [];
    const mailbox = fakeMailbox('expired', [kim]);
    const reading: Mailbox = {
      ...mailbox,
      getMetadata: (ids) => {
        read.push(...ids);
        return mailbox.getMetadata(ids);
      },
    };
    const friend: Batch = {
      ...batch,
      messageIds: ['k1', 'k2', 'k3'],
      plan: {
        kind: 'sender',
        facts: { protectedBy: null, category: 'personal', important: true, old: true },
        threadIds: ['tk1', 'tk2', 'tk3'],
        sender: 'kim@people.example',
        samples: [kim],
        correspondent: true,
      },
    };

    const result = await decideBatch(
      { ...deps, classifierFor: async () => keepAll },
      run,
      user,
      reading,
      friend,
    );

    expect(read).toEqual([]);
    expect(result.decisions.map((d) => [d.id, d.decision, d.reason])).toEqual([
      ['k1', 'keep', 'LLM: a friend'],
      ['k2', 'keep', 'LLM, someone you correspond with'],
      ['k3', 'keep', 'LLM, someone you correspond with'],
    ]);
  });
});
