import { describe, expect, it } from 'vitest';
import { fakeJobDeps, RecordingMailbox } from '../../test/helpers/job-fakes.js';
import { DEFAULT_POLICY, type User } from '../domain/model.js';
import type { Mailbox } from '../domain/ports.js';
import { correspondence, keptCorrespondent } from './correspondents.js';

const NOW = 1_800_000_000_000;
const user = { id: 'user-1', policy: { ...DEFAULT_POLICY, version: 2 } } as User;

/** Kim's mail: two conversations; the owner answered in the second only when `replied`. */
function kimsMailbox(queries: string[]): Mailbox {
  return {
    listIds: async ({ q = '' }: { q?: string }) => {
      queries.push(q);
      const ids = q.includes('from:kim@people.example')
        ? [
            { id: 'a', threadId: 't1' },
            { id: 'b', threadId: 't2' },
          ]
        : [];
      return { ids, nextPageToken: undefined };
    },
  } as unknown as Mailbox;
}

describe('correspondents', () => {
  it('are people in one of whose conversations the owner sent a message', async () => {
    const { deps, store } = fakeJobDeps(new RecordingMailbox(), NOW);
    await store.addRepliedThreads(user.id, ['t2']);
    const queries: string[] = [];

    const people = correspondence(deps, user, kimsMailbox(queries));
    const found = await people.mailOf('kim@people.example');
    // Asked again from another part of the mailbox: listed once.
    expect(await people.mailOf('kim@people.example')).toEqual(found);

    expect(found).toEqual({ ids: new Set(['a', 'b']), threads: ['t1', 't2'] });
    expect(await people.repliedTo(['kim@people.example'])).toEqual(new Set(['kim@people.example']));
    expect(queries).toEqual(['from:kim@people.example']);
  });

  it('are not people the owner never answered, whatever else marks their conversations', async () => {
    const { deps, store } = fakeJobDeps(new RecordingMailbox(), NOW);
    await store.addMarkedThreads(user.id, new Map([['t2', 'starred']]));

    const people = correspondence(deps, user, kimsMailbox([]));

    expect(await people.repliedTo(['kim@people.example'])).toEqual(new Set());
  });

  it('keep their mail, and are remembered for syncs, only when the classifier kept the sample', async () => {
    const { deps, store } = fakeJobDeps(new RecordingMailbox(), NOW);
    const sample = {
      id: 'a',
      threadId: 't1',
      labelIds: ['CATEGORY_PERSONAL'],
      fromAddress: 'kim@people.example',
      fromName: 'Kim',
      subject: 'Dinner?',
      snippet: '',
      sizeEstimate: 100,
      internalDate: 0,
      listUnsubscribe: false,
      listId: null,
    };
    const plan = {
      kind: 'sender',
      facts: { protectedBy: null, category: 'personal', important: false, old: true },
      threadIds: ['t1', 't2'],
      sender: 'kim@people.example',
      samples: [sample],
      correspondent: true,
    } as const;
    const judged = (decision: 'keep' | 'trash' | 'failed') => [
      { id: 'a', decision, reason: 'LLM: x', sender: null, bytes: 100 },
    ];
    const key = 'kim@people.example|primary';

    expect(await keptCorrespondent(deps, user, plan, judged('trash'), undefined)).toBeUndefined();
    expect(await keptCorrespondent(deps, user, plan, judged('failed'), undefined)).toBeUndefined();
    const stranger = { ...plan, correspondent: false };
    expect(
      await keptCorrespondent(deps, user, stranger, judged('keep'), undefined),
    ).toBeUndefined();
    expect((await store.getSenderDecisions(user.id, [key])).size).toBe(0);

    expect(await keptCorrespondent(deps, user, plan, judged('keep'), undefined)).toBe(
      'someone you correspond with',
    );
    const cached = (await store.getSenderDecisions(user.id, [key])).get(key);
    expect(cached).toMatchObject({
      action: 'keep',
      reason: 'someone you correspond with',
      policyVersion: 2,
    });
    // Known already: kept without writing the decision again.
    const writes = { count: 0 };
    const counting = {
      ...deps,
      store: Object.assign(Object.create(store), {
        putSenderDecisions: async () => void writes.count++,
      }),
    };
    expect(await keptCorrespondent(counting, user, plan, judged('keep'), cached)).toBe(
      'someone you correspond with',
    );
    expect(writes.count).toBe(0);
  });
});
