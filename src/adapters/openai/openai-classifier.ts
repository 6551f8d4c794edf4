import { z } from 'zod';
import { addCall, type LlmPrice } from '../../domain/llm-prices.js';
import type { MessageMeta } from '../../domain/message.js';
import { type LlmUsage, type SenderDecision, ZERO_USAGE } from '../../domain/model.js';
import type {
  Classifier,
  ClassifierAnswer,
  ClassifyInput,
  ClassifyResult,
  DecidePartsInput,
  Store,
} from '../../domain/ports.js';
import type { PartitionFacts } from '../../domain/scan-partitions.js';
import { isCurrent, routeByDecision, splitBySender } from '../../domain/sender-groups.js';
import type { Logger } from '../../log.js';
import { answersById, outputBudget } from './answers.js';
import { inChunks, rethrowFirst } from './chunked.js';
import { decideParts } from './part-questions.js';
import { buildPrompt, cleanText, messageItem, senderItem } from './prompt.js';
import { type CallOutcome, type CallSettings, callStructured } from './structured-call.js';

const senderAnswers = z.object({
  senders: z.array(
    z.object({ id: z.string(), action: z.enum(['trash', 'keep', 'mixed']), reason: z.string() }),
  ),
});
const messageAnswers = z.object({
  messages: z.array(
    z.object({ id: z.string(), action: z.enum(['trash', 'keep']), reason: z.string() }),
  ),
});

export interface ClassifierLimits {
  readonly sendersPerCall: number;
  readonly messagesPerCall: number;
  /** Calls of one batch under way at once. */
  readonly parallelCalls: number;
}

export const DEFAULT_LIMITS: ClassifierLimits = {
  sendersPerCall: 40,
  messagesPerCall: 50,
  parallelCalls: 4,
};

export interface OpenAiClassifierOptions {
  readonly call: CallSettings;
  readonly price: LlmPrice | undefined;
  /** Where sender decisions are cached, per user and policy version. */
  readonly senders: Pick<Store, 'getSenderDecisions' | 'putSenderDecisions'>;
  readonly log: Logger;
  readonly limits?: ClassifierLimits | undefined;
}

type Group = readonly [key: string, messages: readonly MessageMeta[]];

/**
 * Classifies with an OpenAI model: bulk senders once each (cached), the rest in batches of
 * dozens. A failed call answers its messages `failed`, with the reason; only ClassifierPaused and
 * ClassifierUnavailable are thrown. Protection rules run after this, whatever it answers.
 */
export class OpenAiClassifier implements Classifier {
  private readonly limits: ClassifierLimits;

  /**
   * In a scan by sender, the parts the model decides from their facts alone are not read at
   * all; the others go by sender: a bulk sender's cached decision covers its unread mail, the
   * Primary mail of someone the owner replied to is kept, and the rest of people's mail is read
   * and judged one by one. Uncategorised mail (no category tab) is read.
   */
  readonly scanBySender = {
    needsSender: (facts: PartitionFacts) => !this.scanBySender.mustRead(facts),
    mustRead: (facts: PartitionFacts) => facts.category === 'none',
    readsText: true,
    decideParts: (input: DecidePartsInput) => decideParts(this.options, input),
  };

  constructor(private readonly options: OpenAiClassifierOptions) {
    this.limits = options.limits ?? DEFAULT_LIMITS;
  }

  async classify(input: ClassifyInput): Promise<ClassifyResult> {
    const answers = new Map<string, ClassifierAnswer>();
    const meter = { usage: ZERO_USAGE as LlmUsage };
    const split = splitBySender(input.messages, input.policy);
    for (const m of split.keepListed) {
      answers.set(m.id, { action: 'keep', reason: 'sender on your keep-list' });
    }
    const keys = [...split.groups.keys()];
    const cached =
      keys.length > 0 ? await this.senders(input).getSenderDecisions(input.userId, keys) : null;
    const decisions = new Map<string, SenderDecision>();
    const unknown: Group[] = [];
    for (const [key, messages] of split.groups) {
      const decision = cached?.get(key);
      if (decision && isCurrent(decision, input.policy)) decisions.set(key, decision);
      else unknown.push([key, messages]);
    }
    const failed = await this.askSenders(unknown, input, meter, decisions);

    const individual = [...split.individual];
    for (const [key, messages] of split.groups) {
      const decision = decisions.get(key);
      if (!decision) {
        const reason = failed.get(key) ?? 'no answer for this sender';
        for (const m of messages) answers.set(m.id, kept(reason));
        continue;
      }
      const routed = routeByDecision(messages, decision);
      for (const [id, answer] of routed.answers) answers.set(id, answer);
      individual.push(...routed.individual);
    }
    await this.askMessages(individual, input, meter, answers);
    return { answers, usage: meter.usage };
  }

  /** Decides unknown senders, caches what was decided; returns why the others failed. */
  private async askSenders(
    groups: readonly Group[],
    input: ClassifyInput,
    meter: { usage: LlmUsage },
    decisions: Map<string, SenderDecision>,
  ): Promise<Map<string, string>> {
    const failed = new Map<string, string>();
    const fresh: SenderDecision[] = [];
    const settled = await inChunks(
      groups,
      this.limits.sendersPerCall,
      this.limits.parallelCalls,
      async (chunk) => {
        const items = chunk.map(([, messages], i) => senderItem(`s${i + 1}`, messages, input.now));
        const outcome = await callStructured(
          this.options.call,
          buildPrompt('senders', items, input.policy.instructions),
          senderAnswers,
          'sender_decisions',
          outputBudget(chunk.length),
        );
        this.count(meter, outcome);
        if (!outcome.result.ok) {
          this.options.log.warn('LLM sender call failed, their mail is kept', {
            reason: outcome.result.reason,
            senders: chunk.length,
          });
          for (const [key] of chunk) failed.set(key, outcome.result.reason);
          return;
        }
        const byId = answersById(outcome.result.value.senders, 'mixed');
        chunk.forEach(([key], i) => {
          const answer = byId.get(`s${i + 1}`);
          if (!answer) return;
          const decision: SenderDecision = {
            senderKey: key,
            action: answer.action,
            reason: cleanText(answer.reason, 80) || 'no reason given',
            policyVersion: input.policy.version,
            decidedAt: input.now,
          };
          decisions.set(key, decision);
          fresh.push(decision);
        });
      },
    );
    // Whatever was decided is kept even if another call paused the run: a retry reuses it.
    if (fresh.length > 0) await this.senders(input).putSenderDecisions(input.userId, fresh);
    rethrowFirst(settled);
    return failed;
  }

  private async askMessages(
    messages: readonly MessageMeta[],
    input: ClassifyInput,
    meter: { usage: LlmUsage },
    answers: Map<string, ClassifierAnswer>,
  ): Promise<void> {
    const settled = await inChunks(
      messages,
      this.limits.messagesPerCall,
      this.limits.parallelCalls,
      async (chunk) => {
        const items = chunk.map((m, i) => messageItem(`m${i + 1}`, m, input.now));
        const outcome = await callStructured(
          this.options.call,
          buildPrompt('messages', items, input.policy.instructions),
          messageAnswers,
          'message_decisions',
          outputBudget(chunk.length),
        );
        this.count(meter, outcome);
        if (!outcome.result.ok) {
          this.options.log.warn('LLM message call failed, messages kept', {
            reason: outcome.result.reason,
            messages: chunk.length,
          });
          for (const m of chunk) answers.set(m.id, kept(outcome.result.reason));
          return;
        }
        const byId = answersById(outcome.result.value.messages, 'keep');
        chunk.forEach((m, i) => {
          const answer = byId.get(`m${i + 1}`);
          const reason = cleanText(answer?.reason ?? '', 80) || 'no reason given';
          answers.set(
            m.id,
            answer ? { action: answer.action, reason: `LLM: ${reason}` } : kept('no answer'),
          );
        });
      },
    );
    rethrowFirst(settled);
  }

  private senders(input: ClassifyInput): NonNullable<ClassifyInput['senders']> {
    return input.senders ?? this.options.senders;
  }

  private count(meter: { usage: LlmUsage }, outcome: CallOutcome<unknown>): void {
    for (const tokens of outcome.requests) {
      meter.usage = addCall(meter.usage, this.options.price, tokens);
    }
  }
}

/** No decision: the call failed (or gave no answer for the message). */
function kept(reason: string): ClassifierAnswer {
  return { action: 'keep', reason: `kept: LLM ${reason}`, failed: true };
}
