import { describe, expect, it } from 'vitest';
import { aDecision } from '../../test/contract/store-contract.js';
import { meta } from '../../test/helpers/message-meta.js';
import { type Batch, ZERO_USAGE } from './model.js';
import { KEPT_IN_REVIEW, ReviewPlanBuilder, UNKNOWN_SENDER_KEY } from './review-plan.js';

const batch = (decisions: Batch['decisions'], plan: Batch['plan'] = null): Batch => ({
  runId: 'r',
  batchNo: 0,
  messageIds: decisions.map((d) => d.id),
  nextPageToken: null,
  listedThrough: decisions.length,
  status: 'done',
  decisions,
  llm: ZERO_USAGE,
  plan,
});

describe('ReviewPlanBuilder', () => {
  it('sums trash decisions by sender, largest first, with the commonest reason', () => {
    const builder = new ReviewPlanBuilder();
    builder.add(
      batch([
        aDecision({ id: '1', decision: 'trash', sender: 'a@x.net', bytes: 100, reason: 'promo' }),
        aDecision({ id: '2', decision: 'trash', sender: 'a@x.net', bytes: 100, reason: 'promo' }),
        aDecision({ id: '3', decision: 'trash', sender: 'a@x.net', bytes: 100, reason: 'old' }),
        aDecision({ id: '4', decision: 'trash', sender: 'b@y.net', bytes: 900, reason: 'ad' }),
        aDecision({ id: '5', decision: 'trash', sender: null, bytes: 5, reason: 'ad' }),
        aDecision({ id: '6', decision: 'protected', reason: 'starred' }),
        aDecision({ id: '7', decision: 'keep', reason: 'receipt' }),
        aDecision({ id: '8', decision: 'gone', reason: 'no longer in the mailbox' }),
      ]),
    );
    const plan = builder.result();
    expect(plan.senders.map((s) => [s.key, s.messages, s.bytes, s.reason])).toEqual([
      ['b@y.net', 1, 900, 'ad'],
      ['a@x.net', 3, 300, 'promo'],
      [UNKNOWN_SENDER_KEY, 1, 5, 'ad'],
    ]);
    expect(plan.senders.every((s) => s.action === 'trash' && !s.bytesEstimated)).toBe(true);
    expect(plan.trash).toEqual({ messages: 5, bytes: 1205 });
    expect(plan.kinds.protected).toEqual({ messages: 1, reasons: { starred: 1 } });
    expect(plan.kinds.kept).toEqual({ messages: 1, reasons: { receipt: 1 } });
    expect(plan.kinds.other.messages).toBe(1);
  });

  it('marks sizes averaged from samples as estimated and shows the samples’ subjects', () => {
    const sample = meta({ id: 's1', fromAddress: 'a@x.net', subject: 'Big sale' });
    const builder = new ReviewPlanBuilder();
    builder.add(
      batch(
        [
          aDecision({ id: 's1', decision: 'trash', sender: 'a@x.net' }),
          aDecision({ id: 'u2', decision: 'trash', sender: 'a@x.net' }),
        ],
        {
          kind: 'sender',
          facts: { protectedBy: null, category: 'promotions', important: false, old: true },
          threadIds: ['t1', 't2'],
          sender: 'a@x.net',
          samples: [sample],
        },
      ),
    );
    const [sender] = builder.result().senders;
    expect(sender).toMatchObject({ bytesEstimated: true, subjects: ['Big sale'] });
  });

  it('shows a kept sender as keep once the review is applied', () => {
    const builder = new ReviewPlanBuilder();
    builder.add(
      batch([aDecision({ id: '1', decision: 'keep', sender: 'a@x.net', reason: KEPT_IN_REVIEW })]),
    );
    expect(builder.result().senders[0]).toMatchObject({ key: 'a@x.net', action: 'keep' });
    expect(builder.result().trash.messages).toBe(0);
  });
});
