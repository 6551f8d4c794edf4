import type { LlmUsage } from './model.js';

/** USD per 1 million tokens. */
export interface LlmPrice {
  readonly input: number;
  /** Input tokens served from OpenAI's prompt cache; the input price when unknown. */
  readonly cachedInput?: number | undefined;
  readonly output: number;
}

export type LlmPriceTable = Readonly<Record<string, LlmPrice>>;

/**
 * Standard (not Batch API) prices of current cheap models, from OpenAI's pricing pages in
 * November 2026. Prices change often: OPENAI_PRICES overrides or extends this table.
 */
export const DEFAULT_LLM_PRICES: LlmPriceTable = {
  'gpt-5-nano': { input: 0.05, cachedInput: 0.005, output: 0.4 },
  'gpt-5-mini': { input: 0.25, cachedInput: 0.025, output: 2 },
  'gpt-5.4-nano': { input: 0.2, cachedInput: 0.02, output: 1.25 },
  'gpt-5.4-mini': { input: 0.75, cachedInput: 0.075, output: 4.5 },
  'gpt-4.1-nano': { input: 0.1, cachedInput: 0.025, output: 0.4 },
  'gpt-4.1-mini': { input: 0.4, cachedInput: 0.1, output: 1.6 },
  'gpt-4o-mini': { input: 0.15, cachedInput: 0.075, output: 0.6 },
};

/**
 * The price of a model: its own entry, else the longest entry it starts with (a dated
 * snapshot such as `gpt-5-nano-2025-08-07` costs what `gpt-5-nano` costs), else undefined.
 */
export function priceFor(table: LlmPriceTable, model: string): LlmPrice | undefined {
  const exact = table[model];
  if (exact) return exact;
  const prefix = Object.keys(table)
    .filter((name) => model.startsWith(`${name}-`))
    .sort((a, b) => b.length - a.length)[0];
  return prefix === undefined ? undefined : table[prefix];
}

export interface TokenCounts {
  readonly inputTokens: number;
  /** Part of inputTokens served from the prompt cache. */
  readonly cachedInputTokens: number;
  readonly outputTokens: number;
}

/** Estimated cost in USD; 0 for a model without a known price. */
export function costUsd(price: LlmPrice | undefined, tokens: TokenCounts): number {
  if (!price) return 0;
  const cached = Math.min(tokens.cachedInputTokens, tokens.inputTokens);
  const fresh = tokens.inputTokens - cached;
  const perMillion =
    fresh * price.input +
    cached * (price.cachedInput ?? price.input) +
    tokens.outputTokens * price.output;
  return perMillion / 1_000_000;
}

/** Adds one call's tokens to a running usage. */
export function addCall(
  usage: LlmUsage,
  price: LlmPrice | undefined,
  tokens: TokenCounts,
): LlmUsage {
  return {
    calls: usage.calls + 1,
    inputTokens: usage.inputTokens + tokens.inputTokens,
    outputTokens: usage.outputTokens + tokens.outputTokens,
    costUsd: usage.costUsd + costUsd(price, tokens),
  };
}
