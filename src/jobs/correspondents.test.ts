import { describe, expect, it } from 'vitest';
import { fakeJobDeps, RecordingMailbox } from '../../test/helpers/job-fakes.js';
import { DEFAULT_POLICY, type Run, type User } from '../domain/model.js';
import type { Mailbox } from '../domain/ports.js';
import { correspondence } from './correspondents.js';

const NOW = 1_800_000_000_000;
const user = { id: 'user-1', policy: { ...DEFAULT_POLICY, version: 2 } } as User;
const run = { startedAt: NOW } as Run;

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

    const found = await correspondence(deps, run, user, kimsMailbox(queries))('kim@people.example');

    expect(found).toEqual({ ids: new Set(['a', 'b']), keep: 'someone you correspond with' });
    expect(queries).toEqual([`before:${NOW / 1000} from:kim@people.example`]);
    const cached = await store.getSenderDecisions(user.id, ['kim@people.example|primary']);
    expect(cached.get('kim@people.example|primary')).toMatchObject({
      action: 'keep',
      reason: 'someone you correspond with',
      policyVersion: 2,
    });
  });

  it('are not people the owner never answered, and nothing is cached for them', async () => {
    const { deps, store } = fakeJobDeps(new RecordingMailbox(), NOW);
    await store.addMarkedThreads(user.id, new Map([['t2', 'starred']]));

    const found = await correspondence(deps, run, user, kimsMailbox([]))('kim@people.example');

    expect(found).toEqual({ ids: new Set(['a', 'b']), keep: null });
    const cached = await store.getSenderDecisions(user.id, ['kim@people.example|primary']);
    expect(cached.size).toBe(0);
  });
});
