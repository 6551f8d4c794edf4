import type { LlmPrice } from './llm-prices.js';
import { costUsd } from './llm-prices.js';
import type { Run } from './model.js';

/** Start of the calendar month (UTC) that `now` falls in, epoch ms. */
export function monthStart(now: number): number {
  const d = new Date(now);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
}

/**
 * What the user's OpenAI calls cost this month: the LLM usage of their runs that started this
 * month (a run counts in the month it started), as each finished batch recorded it.
 */
export function monthSpendUsd(runs: readonly Run[], now: number): number {
  const since = monthStart(now);
  return runs
    .filter((r) => (r.startedAt ?? r.scheduledAt) >= since)
    .reduce((sum, r) => sum + r.llm.costUsd, 0);
}

/** Tokens a classify call is assumed to take, on the high side: the fixed prompt, then per message. */
const PROMPT_TOKENS = 800;
const INPUT_TOKENS_PER_MESSAGE = 120;
const OUTPUT_TOKENS_PER_MESSAGE = 30;

/** What classifying `messages` messages may cost, estimated before the call. */
export function estimateClassifyUsd(price: LlmPrice | undefined, messages: number): number {
  return costUsd(price, {
    inputTokens: PROMPT_TOKENS + messages * INPUT_TOKENS_PER_MESSAGE,
    cachedInputTokens: 0,
    outputTokens: messages * OUTPUT_TOKENS_PER_MESSAGE,
  });
}

/** Whether a call estimated at `nextUsd` would take this month's spend past the cap. */
export function wouldPassCap(capUsd: number | null, spentUsd: number, nextUsd: number): boolean {
  return capUsd !== null && spentUsd + nextUsd > capUsd;
}
