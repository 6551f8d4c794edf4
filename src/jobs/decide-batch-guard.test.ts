import { describe, expect, it } from 'vitest';
import {
  decideThenGuard,
  fakeMailbox,
  sample,
  setup,
} from '../../test/helpers/decide-batch-setup.js';
import { guardBeforeTrash } from './trash-guard.js';

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
