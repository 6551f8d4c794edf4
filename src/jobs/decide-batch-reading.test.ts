import { describe, expect, it } from 'vitest';
import { fakeMailbox, sample, setup } from '../../test/helpers/decide-batch-setup.js';
import type { MessageMeta } from '../domain/message.js';
import type { Batch } from '../domain/model.js';
import { ZERO_USAGE } from '../domain/model.js';
import type { Classifier, ClassifierAnswer, Mailbox } from '../domain/ports.js';
import { decideBatch } from './decide-batch.js';

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
