import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type FakeOpenAi, type Fault, startFakeOpenAi } from '../../../test/helpers/fake-openai.js';
import { meta, promo } from '../../../test/helpers/message-meta.js';
import { classifierFor, input } from '../../../test/helpers/openai-classifier.js';
import { ClassifierPaused, ClassifierUnavailable } from '../../domain/classifier-errors.js';
import { retryAfterMs } from './openai-errors.js';

describe('the OpenAI classifier when OpenAI fails', () => {
  let fake: FakeOpenAi;
  beforeAll(async () => {
    fake = await startFakeOpenAi();
  });
  afterAll(() => fake.close());
  beforeEach(() => {
    fake.requests.length = 0;
    fake.stats.calls = 0;
  });

  it.each<[Fault['kind'], RegExp]>([
    ['malformed', /malformed answer/],
    ['wrong_shape', /malformed answer/],
    ['refusal', /refused/],
    ['cut_off', /cut off/],
  ])('keeps every message of a call answered with %s, and says why', async (kind, reason) => {
    fake.failNext({ kind } as Fault);
    const mail = [meta(), meta({ fromAddress: 'kim@example.net' })];
    const { answers, usage } = await classifierFor(fake).classifier.classify(input(mail));
    for (const m of mail) {
      expect(answers.get(m.id)?.action).toBe('keep');
      expect(answers.get(m.id)?.reason).toMatch(reason);
    }
    expect(usage.calls).toBe(1);
    expect(usage.inputTokens).toBeGreaterThan(0);
  });

  it('keeps a sender’s mail when its sender call fails, and caches nothing for it', async () => {
    fake.failNext({ kind: 'malformed' });
    const { classifier, senders } = classifierFor(fake);
    const mail = [promo('deals@shop.example'), promo('deals@shop.example')];
    const { answers } = await classifier.classify(input(mail));
    expect([...answers.values()].map((a) => a.action)).toEqual(['keep', 'keep']);
    expect(senders.byUser.size).toBe(0);
  });

  it('tries a server error once more, then answers the messages failed if it fails again', async () => {
    const mail = [meta()];
    fake.failNext({ kind: 'server_error' });
    const first = await classifierFor(fake).classifier.classify(input(mail));
    expect(first.answers.get(mail[0]!.id)?.reason).toBe('LLM: may matter');
    expect(fake.stats.calls).toBe(2);

    fake.failNext({ kind: 'server_error' }, { kind: 'server_error' });
    const second = await classifierFor(fake).classifier.classify(input(mail));
    expect(second.answers.get(mail[0]!.id)).toEqual({
      action: 'keep',
      reason: 'kept: LLM OpenAI error 500',
      failed: true,
    });
  });

  it('answers failed for the messages of a call that times out', async () => {
    fake.failNext({ kind: 'hang' });
    const mail = [promo('deals@shop.example')];
    const { answers } = await classifierFor(fake, { timeoutMs: 300 }).classifier.classify(
      input(mail),
    );
    expect(answers.get(mail[0]!.id)).toEqual({
      action: 'keep',
      reason: 'kept: LLM timed out',
      failed: true,
    });
  });

  it('pauses on a rejected key after one call instead of retrying', async () => {
    const attempt = classifierFor(fake, { key: 'sk-wrong-0123456789abcdef' }).classifier.classify(
      input([promo('deals@shop.example'), meta()]),
    );
    await expect(attempt).rejects.toThrow(ClassifierPaused);
    await expect(attempt).rejects.toMatchObject({ reason: 'key_rejected' });
    expect(fake.stats.calls).toBe(1);
  });

  it('pauses on an exhausted quota (429 insufficient_quota) without retrying it', async () => {
    fake.failNext({ kind: 'insufficient_quota' });
    const { classifier, slept } = classifierFor(fake);
    const attempt = classifier.classify(input([meta()]));
    await expect(attempt).rejects.toMatchObject({
      reason: 'quota_exhausted',
      message: expect.stringContaining('Your OpenAI quota is exhausted'),
    });
    expect(fake.stats.calls).toBe(1);
    expect(slept).toEqual([]);
  });

  it('waits as long as retry-after says on an ordinary 429, then goes on', async () => {
    fake.failNext({ kind: 'rate_limit', retryAfter: '7' }, { kind: 'rate_limit', retryAfter: '2' });
    const { classifier, slept } = classifierFor(fake);
    const mail = [meta()];
    const { answers, usage } = await classifier.classify(input(mail));
    expect(slept).toEqual([7_000, 2_000]);
    expect(answers.get(mail[0]!.id)?.reason).toBe('LLM: may matter');
    expect(usage.calls).toBe(3);
  });

  it('hands the batch back to the queue when rate limits outlast the wait budget', async () => {
    fake.failNext(
      { kind: 'rate_limit', retryAfter: '30' },
      { kind: 'rate_limit', retryAfter: '45' },
    );
    const { classifier } = classifierFor(fake, { maxRateLimitWaitMs: 60_000 });
    const attempt = classifier.classify(input([meta()]));
    await expect(attempt).rejects.toThrow(ClassifierUnavailable);
    await expect(attempt).rejects.toMatchObject({ retryAfterMs: 45_000 });
  });

  it('reads retry-after in milliseconds, seconds or as a date', () => {
    const now = Date.UTC(2026, 0, 1);
    expect(retryAfterMs(new Headers({ 'retry-after-ms': '1500' }), now)).toBe(1500);
    expect(retryAfterMs(new Headers({ 'retry-after': '3' }), now)).toBe(3000);
    expect(
      retryAfterMs(new Headers({ 'retry-after': new Date(now + 5000).toUTCString() }), now),
    ).toBe(5000);
    expect(retryAfterMs(new Headers(), now)).toBeUndefined();
  });
});
