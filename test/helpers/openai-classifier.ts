import {
  type ClassifierLimits,
  OpenAiClassifier,
} from '../../src/adapters/openai/openai-classifier.js';
import { createOpenAiClient } from '../../src/adapters/openai/openai-client.js';
import { DEFAULT_LLM_PRICES } from '../../src/domain/llm-prices.js';
import type { MessageMeta } from '../../src/domain/message.js';
import { DEFAULT_POLICY, type Policy } from '../../src/domain/model.js';
import type { ClassifyInput } from '../../src/domain/ports.js';
import { silentLogger } from '../../src/log.js';
import { type FakeOpenAi, VALID_KEY } from './fake-openai.js';
import { MemorySenderCache, NOW } from './message-meta.js';

export interface ClassifierSetup {
  readonly key?: string;
  readonly timeoutMs?: number;
  readonly senders?: MemorySenderCache;
  readonly limits?: ClassifierLimits;
  readonly maxRateLimitWaitMs?: number;
}

/** An OpenAiClassifier against the fake; `slept` records every wait instead of waiting. */
export function classifierFor(fake: FakeOpenAi, setup: ClassifierSetup = {}) {
  const slept: number[] = [];
  const senders = setup.senders ?? new MemorySenderCache();
  const settings = {
    baseUrl: fake.baseUrl,
    model: 'gpt-5-nano',
    timeoutMs: setup.timeoutMs ?? 10_000,
  };
  const classifier = new OpenAiClassifier({
    call: {
      client: createOpenAiClient(setup.key ?? VALID_KEY, settings),
      model: settings.model,
      sleep: async (ms) => void slept.push(ms),
      maxRateLimitWaitMs: setup.maxRateLimitWaitMs ?? 60_000,
    },
    price: DEFAULT_LLM_PRICES['gpt-5-nano'],
    senders,
    log: silentLogger,
    limits: setup.limits,
  });
  return { classifier, senders, slept };
}

export function input(
  messages: readonly MessageMeta[],
  policy: Partial<Policy> = {},
): ClassifyInput {
  return { userId: 'user-1', policy: { ...DEFAULT_POLICY, ...policy }, messages, now: NOW };
}
