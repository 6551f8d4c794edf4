import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeOpenAi, startFakeOpenAi, VALID_KEY } from '../../../test/helpers/fake-openai.js';
import { checkOpenAiKey } from './key-check.js';

describe('checking an OpenAI key', () => {
  let fake: FakeOpenAi;
  const settings = () => ({ baseUrl: fake.baseUrl, model: 'gpt-5-nano', timeoutMs: 5_000 });
  beforeAll(async () => {
    fake = await startFakeOpenAi();
  });
  afterAll(() => fake.close());

  it('accepts a working key with a call that costs no tokens', async () => {
    expect(await checkOpenAiKey(VALID_KEY, settings())).toEqual({ ok: true });
    expect(fake.stats.keyChecks).toBe(1);
    expect(fake.stats.calls).toBe(0);
  });

  it('rejects a wrong key with a message that does not repeat it', async () => {
    const wrong = 'sk-wrong-key-0123456789abcdef';
    const check = await checkOpenAiKey(wrong, settings());
    expect(check).toEqual({
      ok: false,
      message: expect.stringContaining('OpenAI rejected this key'),
    });
    expect(JSON.stringify(check)).not.toContain(wrong);
  });

  it('rejects a key that may not use the configured model', async () => {
    const check = await checkOpenAiKey(VALID_KEY, { ...settings(), model: 'gpt-9-secret' });
    expect(check).toEqual({ ok: false, message: expect.stringContaining('gpt-9-secret') });
  });

  it('asks to try again later when OpenAI cannot be reached', async () => {
    const check = await checkOpenAiKey(VALID_KEY, {
      ...settings(),
      baseUrl: 'http://127.0.0.1:9/v1',
    });
    expect(check).toEqual({ ok: false, message: expect.stringContaining('try again') });
  });
});
