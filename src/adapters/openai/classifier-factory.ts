import { ClassifierPaused } from '../../domain/classifier-errors.js';
import type { LlmPriceTable } from '../../domain/llm-prices.js';
import { priceFor } from '../../domain/llm-prices.js';
import { type User, ZERO_USAGE } from '../../domain/model.js';
import type { Classifier, KeyRing, Store } from '../../domain/ports.js';
import { RulesClassifier } from '../../domain/rules-classifier.js';
import { open, SealError } from '../../domain/sealing.js';
import { estimateClassifyUsd, monthSpendUsd, wouldPassCap } from '../../domain/spend-cap.js';
import type { Logger } from '../../log.js';
import { type ClassifierLimits, OpenAiClassifier } from './openai-classifier.js';
import { createOpenAiClient, type OpenAiSettings } from './openai-client.js';

export interface ClassifierFactoryOptions {
  readonly settings: OpenAiSettings;
  readonly prices: LlmPriceTable;
  readonly keyRing: KeyRing;
  readonly senders: Pick<Store, 'getSenderDecisions' | 'putSenderDecisions'>;
  readonly log: Logger;
  readonly sleep?: ((ms: number) => Promise<void>) | undefined;
  /** How long one call may wait for OpenAI rate limits before the batch is tried later. */
  readonly maxRateLimitWaitMs?: number | undefined;
  readonly limits?: ClassifierLimits | undefined;
  /** The user's runs and the time, to hold this month's spend under the user's cap. */
  readonly spend: { readonly runs: Pick<Store, 'listRuns'>; readonly now: () => number };
}

const REMEMBERED_PAUSES = 1_000;
/** Runs read to sum this month's spend: more than a month of syncs and scans. */
const SPEND_RUNS = 300;

/**
 * `classifierFor(user)`: the OpenAI classifier for a user with a key, else the rules. A key
 * that paused a run is remembered (by its sealed value, so saving any key again clears it):
 * the batches still queued then pause at once, before spending Gmail quota on metadata.
 */
export function openAiClassifierFor(
  options: ClassifierFactoryOptions,
): (user: User) => Promise<Classifier> {
  const paused = new Map<string, ClassifierPaused>();
  const remember = (sealed: string, pause: ClassifierPaused) => {
    if (paused.size >= REMEMBERED_PAUSES) paused.delete(paused.keys().next().value!);
    paused.set(sealed, pause);
    return pause;
  };
  const rules = new RulesClassifier();
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const price = priceFor(options.prices, options.settings.model);

  return async (user) => {
    const sealed = user.openAiKey;
    if (sealed === null) return rules;
    const known = paused.get(sealed);
    if (known) throw known;
    let apiKey: string;
    try {
      apiKey = await open(options.keyRing, sealed, user.id);
    } catch (error) {
      if (error instanceof SealError)
        throw remember(sealed, new ClassifierPaused('key_unreadable'));
      throw error;
    }
    const classifier = new OpenAiClassifier({
      call: {
        client: createOpenAiClient(apiKey, options.settings),
        model: options.settings.model,
        sleep,
        maxRateLimitWaitMs: options.maxRateLimitWaitMs ?? 60_000,
      },
      price,
      senders: options.senders,
      log: options.log,
      limits: options.limits,
    });
    /** Whether a call about `items` would take this month's spend past the user's cap. */
    const passesCap = async (policy: User['policy'], items: number) => {
      const cap = policy.monthlyCapUsd;
      if (cap === null) return false;
      const runs = await options.spend.runs.listRuns(user.id, SPEND_RUNS);
      const spent = monthSpendUsd(runs, options.spend.now());
      return wouldPassCap(cap, spent, estimateClassifyUsd(price, items));
    };
    const scan = classifier.scanBySender;
    return {
      // Keeps the classifier's scan-by-sender abilities: the wrapper only remembers pauses.
      scanBySender: {
        ...scan,
        // Over the cap, no part is decided from its facts: the batches that ask next pause.
        decideParts: async (input) =>
          (await passesCap(input.policy, input.parts.length))
            ? { decisions: new Map(), usage: ZERO_USAGE }
            : scan.decideParts(input),
      },
      classify: async (input) => {
        // Not remembered like a key's pause: raising the cap is what resumes the run.
        if (await passesCap(input.policy, input.messages.length)) {
          throw new ClassifierPaused('spend_cap');
        }
        try {
          return await classifier.classify(input);
        } catch (error) {
          if (error instanceof ClassifierPaused) remember(sealed, error);
          throw error;
        }
      },
    };
  };
}
