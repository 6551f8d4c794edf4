import { z } from 'zod';
import { addCall } from '../../domain/llm-prices.js';
import { type LlmUsage, type SenderDecision, ZERO_USAGE } from '../../domain/model.js';
import { fromSenderDecision, PART_PREFIX, toSenderDecision } from '../../domain/part-decisions.js';
import type { DecidePartsInput, DecidePartsResult, PartDecision } from '../../domain/ports.js';
import { isCurrent } from '../../domain/sender-groups.js';
import { answersById, outputBudget } from './answers.js';
import type { OpenAiClassifierOptions } from './openai-classifier.js';
import { buildPrompt, cleanText, partItem } from './prompt.js';
import { callStructured } from './structured-call.js';

const partAnswers = z.object({
  parts: z.array(
    z.object({
      id: z.string(),
      action: z.enum(['trash', 'keep', 'senders']),
      reason: z.string(),
    }),
  ),
});

/**
 * Asks, in one call, which parts of the mailbox the model can decide from their search facts
 * alone (category, importance, age), and caches the answers per policy version. A failed or
 * refused call decides nothing: every part is then looked at sender by sender, as before.
 */
export async function decideParts(
  options: OpenAiClassifierOptions,
  input: DecidePartsInput,
): Promise<DecidePartsResult> {
  const decisions = new Map<string, PartDecision>();
  let usage: LlmUsage = ZERO_USAGE;
  if (input.parts.length === 0) return { decisions, usage };
  try {
    const cached = await options.senders.getSenderDecisions(
      input.userId,
      input.parts.map((p) => `${PART_PREFIX}${p.key}`),
    );
    const unknown = input.parts.filter((part) => {
      const decision = cached.get(`${PART_PREFIX}${part.key}`);
      if (!decision || !isCurrent(decision, input.policy)) return true;
      decisions.set(part.key, fromSenderDecision(decision));
      return false;
    });
    if (unknown.length === 0) return { decisions, usage };
    const items = unknown.map((p, i) => partItem(`p${i + 1}`, p.facts, input.policy.minAgeDays));
    const outcome = await callStructured(
      options.call,
      buildPrompt('parts', items, input.policy.instructions),
      partAnswers,
      'part_decisions',
      outputBudget(items.length),
    );
    for (const tokens of outcome.requests) usage = addCall(usage, options.price, tokens);
    if (!outcome.result.ok) {
      options.log.warn('LLM part question failed, every part goes by sender', {
        reason: outcome.result.reason,
      });
      return { decisions, usage };
    }
    const byId = answersById(outcome.result.value.parts, 'senders');
    const fresh: SenderDecision[] = [];
    unknown.forEach((part, i) => {
      const answer = byId.get(`p${i + 1}`);
      if (!answer) return;
      const decision = {
        action: answer.action,
        reason: cleanText(answer.reason, 80) || 'no reason given',
      };
      decisions.set(part.key, decision);
      fresh.push(toSenderDecision(part.key, decision, input.policy, input.now));
    });
    if (fresh.length > 0) await options.senders.putSenderDecisions(input.userId, fresh);
  } catch (error) {
    // Deciding parts saves reads; it is never needed: without it, every part goes by sender.
    // A paused key pauses the batches that ask next.
    options.log.warn('LLM part question failed, every part goes by sender', {
      reason: error instanceof Error ? error.name : 'unknown',
    });
  }
  return { decisions, usage };
}
