import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type FakeOpenAi, startFakeOpenAi } from '../../../test/helpers/fake-openai.js';
import { MemorySenderCache, NOW } from '../../../test/helpers/message-meta.js';
import { classifierFor } from '../../../test/helpers/openai-classifier.js';
import { DEFAULT_POLICY, type Policy } from '../../domain/model.js';
import type { DecidePartsInput } from '../../domain/ports.js';
import type { PartitionFacts } from '../../domain/scan-partitions.js';

const part = (key: string, facts: Partial<PartitionFacts>) => ({
  key,
  facts: { protectedBy: null, category: null, important: false, old: true, ...facts },
});
const PARTS = [
  part('promotions:normal:old', { category: 'promotions' }),
  part('updates:important:old', { category: 'updates', important: true }),
  part('updates:normal:old', { category: 'updates' }),
];
const ask = (policy: Partial<Policy> = {}): DecidePartsInput => ({
  userId: 'user-1',
  policy: { ...DEFAULT_POLICY, ...policy },
  parts: PARTS,
  now: NOW,
});

describe('the OpenAI classifier asked about parts of the mailbox', () => {
  let fake: FakeOpenAi;
  beforeAll(async () => {
    fake = await startFakeOpenAi();
  });
  afterAll(() => fake.close());
  beforeEach(() => {
    fake.requests.length = 0;
    fake.stats.calls = 0;
  });

  it('asks once about every part, from facts only, and caches the answers per policy', async () => {
    const senders = new MemorySenderCache();
    const { classifier } = classifierFor(fake, { senders });

    const first = await classifier.scanBySender.decideParts(ask());

    expect(fake.stats.calls).toBe(1);
    const [request] = fake.requests;
    expect(request!.prompt.kind).toBe('parts');
    expect(request!.prompt.fenced).toBe(true);
    expect(request!.prompt.items.map((i) => Object.keys(i).sort())).toEqual(
      PARTS.map(() => ['age', 'category', 'id', 'important']),
    );
    expect(first.usage.calls).toBe(1);
    expect(Object.fromEntries([...first.decisions].map(([k, d]) => [k, d.action]))).toEqual({
      'promotions:normal:old': 'trash',
      'updates:important:old': 'keep',
      'updates:normal:old': 'senders',
    });

    const again = await classifierFor(fake, { senders }).classifier.scanBySender.decideParts(ask());
    expect(fake.stats.calls).toBe(1);
    expect(again.usage.calls).toBe(0);
    expect(again.decisions).toEqual(first.decisions);

    await classifierFor(fake, { senders }).classifier.scanBySender.decideParts(ask({ version: 2 }));
    expect(fake.stats.calls).toBe(2);
  });

  it('decides no part when the call fails, is refused or answers malformed', async () => {
    for (const kind of ['server_error', 'refusal', 'malformed', 'wrong_shape'] as const) {
      // A server error is tried twice; the other failures are final at once.
      fake.failNext(...(kind === 'server_error' ? [{ kind }, { kind }] : [{ kind }]));
      const senders = new MemorySenderCache();
      const { decisions } = await classifierFor(fake, {
        senders,
      }).classifier.scanBySender.decideParts(ask());
      expect(decisions.size).toBe(0);
      expect(senders.byUser.size).toBe(0);
    }
  });

  it('decides no part when the key is rejected: the batches that ask next pause', async () => {
    const { classifier } = classifierFor(fake, { key: 'sk-test-wrong-0123456789abcdef' });
    const { decisions } = await classifier.scanBySender.decideParts(ask());
    expect(decisions.size).toBe(0);
  });

  it('passes the owner’s preferences, fenced, and the model then goes by sender', async () => {
    const instructions = 'Keep anything from Northwind, please.';
    const { decisions } = await classifierFor(fake).classifier.scanBySender.decideParts(
      ask({ instructions }),
    );
    expect(fake.requests[0]!.prompt.preferences).toBe(instructions);
    expect([...decisions.values()].map((d) => d.action)).toEqual(['senders', 'senders', 'senders']);
  });
});
