import { describe, expect, it } from 'vitest';
import { addCall, costUsd, DEFAULT_LLM_PRICES, priceFor } from './llm-prices.js';
import { ZERO_USAGE } from './model.js';

describe('LLM prices', () => {
  it('prices a dated snapshot like its model and an unknown model at nothing', () => {
    expect(priceFor(DEFAULT_LLM_PRICES, 'gpt-5-nano-2025-08-07')).toBe(
      DEFAULT_LLM_PRICES['gpt-5-nano'],
    );
    expect(priceFor(DEFAULT_LLM_PRICES, 'gpt-5.4-nano')).toBe(DEFAULT_LLM_PRICES['gpt-5.4-nano']);
    expect(priceFor(DEFAULT_LLM_PRICES, 'my-local-model')).toBeUndefined();
    expect(costUsd(undefined, { inputTokens: 1e6, cachedInputTokens: 0, outputTokens: 1e6 })).toBe(
      0,
    );
  });

  it('charges cached input at its own price and adds each call to the usage', () => {
    const price = { input: 0.05, cachedInput: 0.005, output: 0.4 };
    const tokens = { inputTokens: 2_000_000, cachedInputTokens: 1_000_000, outputTokens: 500_000 };
    expect(costUsd(price, tokens)).toBeCloseTo(0.05 + 0.005 + 0.2, 10);
    const usage = addCall(addCall(ZERO_USAGE, price, tokens), price, tokens);
    expect(usage).toMatchObject({ calls: 2, inputTokens: 4_000_000, outputTokens: 1_000_000 });
    expect(usage.costUsd).toBeCloseTo(0.51, 10);
  });
});
