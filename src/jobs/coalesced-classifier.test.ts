import { describe, expect, it } from 'vitest';
import { aUser } from '../../test/contract/store-contract.js';
import { meta, NOW } from '../../test/helpers/message-meta.js';
import type { MessageMeta } from '../domain/message.js';
import type { LlmUsage } from '../domain/model.js';
import { ZERO_USAGE } from '../domain/model.js';
import type { Classifier, ClassifierAnswer, ClassifyInput } from '../domain/ports.js';
import { coalesceClassifier } from './coalesced-classifier.js';

const USAGE: LlmUsage = { ...ZERO_USAGE, calls: 1, inputTokens: 100 };

/** Trashes every message and remembers each input it was given. */
class RecordingClassifier implements Classifier {
  readonly inputs: ClassifyInput[] = [];
  failWith: Error | undefined;
  async classify(input: ClassifyInput) {
    this.inputs.push(input);
    if (this.failWith) throw this.failWith;
    const answers = new Map<string, ClassifierAnswer>(
      input.messages.map((m) => [m.id, { action: 'trash', reason: `judged ${m.id}` }]),
    );
    return { answers, usage: USAGE };
  }
}

const input = (messages: readonly MessageMeta[]): ClassifyInput => ({
  userId: 'user-1',
  policy: aUser().policy,
  messages,
  now: NOW,
});

describe('a classifier shared by the parts of a batch', () => {
  it('asks once for all the parts that ask together, and answers each only for its own mail', async () => {
    const inner = new RecordingClassifier();
    const shared = coalesceClassifier(inner, 3);
    const [a, b, c] = [[meta(), meta()], [meta()], [meta(), meta(), meta()]];
    const results = await Promise.all(
      [a!, b!, c!].map((ms) => shared.classifier.classify(input(ms))),
    );
    expect(inner.inputs).toHaveLength(1);
    expect(inner.inputs[0]!.messages.map((m) => m.id)).toEqual(
      [...a!, ...b!, ...c!].map((m) => m.id),
    );
    expect(results.map((r) => [...r.answers.keys()])).toEqual(
      [a!, b!, c!].map((ms) => ms.map((m) => m.id)),
    );
    // The shared call is counted once in all.
    expect(results.reduce((sum, r) => sum + r.usage.calls, 0)).toBe(1);
  });

  it('does not wait for parts that have finished', async () => {
    const inner = new RecordingClassifier();
    const shared = coalesceClassifier(inner, 2);
    const asked = shared.classifier.classify(input([meta()]));
    expect(inner.inputs).toHaveLength(0);
    shared.done();
    const result = await asked;
    expect(inner.inputs).toHaveLength(1);
    expect(result.answers.size).toBe(1);
  });

  it('gives every part that asked the failure of the shared call', async () => {
    const inner = new RecordingClassifier();
    inner.failWith = new Error('the LLM is paused');
    const shared = coalesceClassifier(inner, 2);
    const results = await Promise.allSettled([
      shared.classifier.classify(input([meta()])),
      shared.classifier.classify(input([meta()])),
    ]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
  });

  it('answers a question about no message at once, without the inner classifier', async () => {
    const inner = new RecordingClassifier();
    const shared = coalesceClassifier(inner, 2);
    const result = await shared.classifier.classify(input([]));
    expect(result.answers.size).toBe(0);
    expect(inner.inputs).toHaveLength(0);
  });
});
