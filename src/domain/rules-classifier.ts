import type { MessageMeta } from './message.js';
import { ZERO_USAGE } from './model.js';
import type { Classifier, ClassifierAnswer, ClassifyInput, ClassifyResult } from './ports.js';
import { oldBefore, type PartitionFacts } from './scan-partitions.js';

const DAY = 86_400_000;
const BULK_CATEGORIES: Readonly<Record<string, string>> = {
  CATEGORY_PROMOTIONS: 'promotion',
  CATEGORY_SOCIAL: 'social notification',
};

/**
 * The classifier for users without an OpenAI key: trashes only obvious bulk mail (a
 * promotions or social message with an unsubscribe link, older than the policy's threshold,
 * not marked important) and keeps everything else.
 */
export class RulesClassifier implements Classifier {
  /** Only old, unimportant promotions and social mail can be trashed, and only by list senders. */
  readonly scanBySender = {
    needsSender: (facts: PartitionFacts) =>
      (facts.category === 'promotions' || facts.category === 'social') &&
      facts.important === false &&
      facts.old === true,
  };

  async classify(input: ClassifyInput): Promise<ClassifyResult> {
    const answers = new Map<string, ClassifierAnswer>();
    for (const message of input.messages) {
      answers.set(message.id, judge(message, input.policy.minAgeDays, input.now));
    }
    return { answers, usage: ZERO_USAGE };
  }
}

function judge(message: MessageMeta, minAgeDays: number, now: number): ClassifierAnswer {
  const category = message.labelIds.map((id) => BULK_CATEGORIES[id]).find(Boolean);
  if (!category) return { action: 'keep', reason: 'not promotions or social' };
  if (!message.listUnsubscribe) return { action: 'keep', reason: 'no unsubscribe link' };
  if (message.labelIds.includes('IMPORTANT')) return { action: 'keep', reason: 'marked important' };
  // The threshold is whole seconds, as Gmail search (the scan by sender) can express it.
  if (message.internalDate >= oldBefore(now, minAgeDays) * 1000) {
    return { action: 'keep', reason: `newer than ${minAgeDays} days` };
  }
  const ageDays = Math.floor((now - message.internalDate) / DAY);
  return { action: 'trash', reason: `${category} with an unsubscribe link, ${ageDays} days old` };
}
