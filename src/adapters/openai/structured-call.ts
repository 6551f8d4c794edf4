import type OpenAI from 'openai';
import { zodResponseFormat } from 'openai/helpers/zod';
import type { ChatCompletionMessageParam } from 'openai/resources/chat/completions';
import type { z } from 'zod';
import { ClassifierPaused, ClassifierUnavailable } from '../../domain/classifier-errors.js';
import type { TokenCounts } from '../../domain/llm-prices.js';
import { describeOpenAiError } from './openai-errors.js';

export interface CallSettings {
  readonly client: OpenAI;
  readonly model: string;
  readonly sleep: (ms: number) => Promise<void>;
  /** The longest a call waits for a rate limit in all; past it the batch is tried later. */
  readonly maxRateLimitWaitMs: number;
}

export type CallResult<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly reason: string };

/** One call's answer plus every request it took (each counts as an LLM call). */
export interface CallOutcome<T> {
  readonly result: CallResult<T>;
  readonly requests: readonly TokenCounts[];
}

const MAX_ATTEMPTS = 4;
const NO_TOKENS: TokenCounts = { inputTokens: 0, cachedInputTokens: 0, outputTokens: 0 };

/**
 * One chat completion with a strict JSON schema (structured outputs), validated again with zod.
 * `create` rather than `parse`: a refused, cut-off or malformed answer still reports the tokens
 * it cost. Rate limits wait and retry (honouring retry-after), a server error gets one more
 * try; a wrong key or exhausted quota throws ClassifierPaused; any other failure is returned.
 */
export async function callStructured<T>(
  settings: CallSettings,
  messages: ChatCompletionMessageParam[],
  schema: z.ZodType<T>,
  schemaName: string,
  maxOutputTokens: number,
): Promise<CallOutcome<T>> {
  const requests: TokenCounts[] = [];
  let waited = 0;
  let transientRetries = 0;
  for (let attempt = 1; ; attempt++) {
    try {
      const completion = await settings.client.chat.completions.create({
        model: settings.model,
        messages,
        response_format: zodResponseFormat(schema, schemaName),
        max_completion_tokens: maxOutputTokens,
        store: false,
        ...reasoningEffort(settings.model),
      });
      const usage = completion.usage;
      requests.push({
        inputTokens: usage?.prompt_tokens ?? 0,
        cachedInputTokens: usage?.prompt_tokens_details?.cached_tokens ?? 0,
        outputTokens: usage?.completion_tokens ?? 0,
      });
      return { result: readAnswer(completion.choices[0], schema), requests };
    } catch (error) {
      requests.push(NO_TOKENS);
      const failure = describeOpenAiError(error);
      if (failure.kind === 'pause') throw new ClassifierPaused(failure.reason);
      if (failure.kind === 'failed')
        return { result: { ok: false, reason: failure.reason }, requests };
      if (failure.kind === 'transient') {
        if (transientRetries++ >= 1)
          return { result: { ok: false, reason: failure.reason }, requests };
        await settings.sleep(backoffMs(attempt));
        continue;
      }
      const wait = failure.retryAfterMs ?? backoffMs(attempt);
      if (attempt >= MAX_ATTEMPTS || waited + wait > settings.maxRateLimitWaitMs) {
        throw new ClassifierUnavailable('OpenAI rate limit', Math.max(wait, 10_000));
      }
      waited += wait;
      await settings.sleep(wait);
    }
  }
}

type Choice = OpenAI.Chat.Completions.ChatCompletion['choices'][number];

function readAnswer<T>(choice: Choice | undefined, schema: z.ZodType<T>): CallResult<T> {
  if (!choice) return { ok: false, reason: 'empty answer' };
  if (choice.message.refusal) return { ok: false, reason: 'the model refused' };
  if (choice.finish_reason === 'length') return { ok: false, reason: 'answer cut off' };
  if (choice.finish_reason === 'content_filter') return { ok: false, reason: 'content filter' };
  const content = choice.message.content;
  if (!content) return { ok: false, reason: 'empty answer' };
  let json: unknown;
  try {
    json = JSON.parse(content);
  } catch {
    return { ok: false, reason: 'malformed answer' };
  }
  const parsed = schema.safeParse(json);
  return parsed.success
    ? { ok: true, value: parsed.data }
    : { ok: false, reason: 'malformed answer' };
}

/** 1 s, 2 s, 4 s... with up to 25% jitter, so parallel callers do not retry together. */
function backoffMs(attempt: number): number {
  const base = 1000 * 2 ** (attempt - 1);
  return Math.round(base * (1 + Math.random() * 0.25));
}

/**
 * Classification needs no long reasoning: the least effort a reasoning model accepts keeps
 * output tokens (which reasoning tokens are billed as) low. Non-reasoning models take none.
 */
export function reasoningEffort(model: string): { reasoning_effort?: 'minimal' | 'low' } {
  if (/^gpt-5(-mini|-nano)?(-\d{4}-\d{2}-\d{2})?$/.test(model))
    return { reasoning_effort: 'minimal' };
  if (/^(gpt-5\.|gpt-6|o\d)/.test(model)) return { reasoning_effort: 'low' };
  return {};
}
