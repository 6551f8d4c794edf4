import { describe, expect, it } from 'vitest';
import {
  decideThenGuard,
  fakeMailbox,
  STARTED,
  sample,
  setup,
} from '../../test/helpers/decide-batch-setup.js';
import type { MessageMeta } from '../domain/message.js';
import type { Batch } from '../domain/model.js';
import { ZERO_USAGE } from '../domain/model.js';
import type { Classifier, ClassifierAnswer } from '../domain/ports.js';
import { decideBatch } from './decide-batch.js';
import type { JobDeps } from './job-deps.js';

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
