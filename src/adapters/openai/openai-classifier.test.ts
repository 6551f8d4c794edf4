import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type FakeOpenAi, startFakeOpenAi } from '../../../test/helpers/fake-openai.js';
import { MemorySenderCache, meta, promo } from '../../../test/helpers/message-meta.js';
import { classifierFor, input } from '../../../test/helpers/openai-classifier.js';
import { costUsd, DEFAULT_LLM_PRICES } from '../../domain/llm-prices.js';

const SHOP = 'deals@northwind.example';

describe('the OpenAI classifier', () => {
  let fake: FakeOpenAi;
  beforeAll(async () => {
    fake = await startFakeOpenAi();
  });
  afterAll(() => fake.close());
  beforeEach(() => {
    fake.requests.length = 0;
    fake.stats.calls = 0;
  });

  it('decides a bulk sender once from sample subjects and personal mail one message at a time', async () => {
    const shop = Array.from({ length: 30 }, () => promo(SHOP));
    const people = [meta(), meta({ fromAddress: 'kim@example.net', subject: 'Photos' })];
    const { classifier } = classifierFor(fake);

    const { answers } = await classifier.classify(input([...shop, ...people]));

    expect(fake.stats.calls).toBe(2);
    const [senders, messages] = fake.requests;
    expect(senders!.prompt.kind).toBe('senders');
    expect(senders!.prompt.items).toHaveLength(1);
    expect(senders!.prompt.items[0]).toMatchObject({ messages: 30, category: 'promotions' });
    expect((senders!.prompt.items[0]!.subjects as string[]).length).toBeLessThanOrEqual(4);
    expect(messages!.prompt.kind).toBe('messages');
    expect(messages!.prompt.items).toHaveLength(2);
    for (const m of shop) expect(answers.get(m.id)?.action).toBe('trash');
    for (const m of people) expect(answers.get(m.id)?.action).toBe('keep');
    expect(answers.get(shop[0]!.id)?.reason).toMatch(/^LLM, sender: /);
  });

  it('never sends message bodies, only the metadata fields', async () => {
    const { classifier } = classifierFor(fake);
    await classifier.classify(input([meta()]));
    expect(Object.keys(fake.requests[0]!.prompt.items[0]!).sort()).toEqual(
      [
        'ageDays',
        'category',
        'flags',
        'from',
        'id',
        'kb',
        'mailingList',
        'snippet',
        'subject',
        'unsubscribeLink',
      ].sort(),
    );
  });

  it('reuses cached sender decisions in later batches and runs without calling the LLM', async () => {
    const cache = new MemorySenderCache();
    await classifierFor(fake, { senders: cache }).classifier.classify(input([promo(SHOP)]));
    expect(fake.stats.calls).toBe(1);
    const cached = await cache.getSenderDecisions('user-1', [`${SHOP}|promotions`]);
    expect(cached.get(`${SHOP}|promotions`)).toMatchObject({ action: 'trash', policyVersion: 1 });

    // The next batch of the same run, then a whole new run: the sender is known.
    const later = [promo(SHOP), promo(SHOP)];
    const next = await classifierFor(fake, { senders: cache }).classifier.classify(input(later));
    const rerun = await classifierFor(fake, { senders: cache }).classifier.classify(input(later));
    expect(fake.stats.calls).toBe(1);
    expect(next.usage.calls).toBe(0);
    expect(rerun.answers.get(later[1]!.id)?.action).toBe('trash');

    // A changed policy (new version) asks again.
    await classifierFor(fake, { senders: cache }).classifier.classify(input(later, { version: 2 }));
    expect(fake.stats.calls).toBe(2);
  });

  it('judges a mixed sender’s messages one by one, and important mail from a disposable one', async () => {
    const bank = 'mail@bank.example';
    const mixed = [
      promo(bank, { subject: 'Earn 5x points on dining' }),
      promo(bank, { subject: 'Your card ending in 1234 was charged $20.00' }),
    ];
    const important = promo(SHOP, { labelIds: ['CATEGORY_PROMOTIONS', 'IMPORTANT'] });
    const { classifier } = classifierFor(fake);

    const { answers } = await classifier.classify(input([...mixed, promo(SHOP), important]));

    expect(fake.requests.map((r) => r.prompt.kind)).toEqual(['senders', 'messages']);
    expect(fake.requests[1]!.prompt.items).toHaveLength(3);
    expect(answers.get(mixed[0]!.id)).toEqual({ action: 'trash', reason: 'LLM: bulk mail' });
    expect(answers.get(mixed[1]!.id)?.action).toBe('keep');
    expect(answers.get(important.id)?.reason).toMatch(/^LLM: /);
  });

  it('keeps mail from the keep-list without asking the LLM', async () => {
    const { classifier } = classifierFor(fake);
    const { answers, usage } = await classifier.classify(
      input([promo(SHOP), meta()], {
        keepSenders: ['northwind.example', 'sam.morgan@example.com'],
      }),
    );
    expect(fake.stats.calls).toBe(0);
    expect(usage.calls).toBe(0);
    expect([...answers.values()]).toEqual([
      { action: 'keep', reason: 'sender on your keep-list' },
      { action: 'keep', reason: 'sender on your keep-list' },
    ]);
  });

  it('passes the user’s instructions, fenced as preferences, and the model follows them', async () => {
    const { classifier } = classifierFor(fake);
    const instructions = 'Keep anything from Northwind, please.';
    const { answers } = await classifier.classify(input([promo(SHOP)], { instructions }));
    expect(fake.requests[0]!.prompt.preferences).toBe(instructions);
    expect(fake.requests[0]!.prompt.fenced).toBe(true);
    expect([...answers.values()][0]).toMatchObject({ action: 'keep' });
  });

  it('asks about dozens of messages per call and counts calls, tokens and cost', async () => {
    const people = Array.from({ length: 120 }, (_, i) =>
      meta({ fromAddress: `person${i}@example.org` }),
    );
    const { classifier } = classifierFor(fake);
    const before = { ...fake.stats };

    const { usage } = await classifier.classify(input(people));

    expect(fake.requests.map((r) => r.prompt.items.length)).toEqual([50, 50, 20]);
    expect(usage.calls).toBe(3);
    expect(usage.inputTokens).toBe(fake.stats.promptTokens - before.promptTokens);
    expect(usage.outputTokens).toBe(fake.stats.completionTokens - before.completionTokens);
    expect(usage.costUsd).toBeCloseTo(
      costUsd(DEFAULT_LLM_PRICES['gpt-5-nano'], { ...usage, cachedInputTokens: 0 }),
      12,
    );
    expect(usage.costUsd).toBeGreaterThan(0);
  });
});
