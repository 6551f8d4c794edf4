import type { MessageMeta } from '../domain/message.js';
import { ZERO_USAGE } from '../domain/model.js';
import type {
  Classifier,
  ClassifierAnswer,
  ClassifyInput,
  ClassifyResult,
} from '../domain/ports.js';

interface Waiting {
  readonly input: ClassifyInput;
  readonly resolve: (result: ClassifyResult) => void;
  readonly reject: (error: unknown) => void;
}

/** A classifier shared by the parts of one batch, and how each part says it is finished. */
export interface Coalesced {
  readonly classifier: Classifier;
  /** Called once by each part when it will ask nothing more (also when it failed). */
  done(): void;
}

/**
 * Lets the parts of a packed batch, decided side by side, share classifier calls: a question
 * waits until every part still at work has asked its own or finished, then all of them go to
 * the inner classifier as one input. The LLM packs many small senders' mail into full calls
 * instead of one small call per part. Each part gets the answers for its own messages; the
 * usage of the shared call is counted once (on the first part), so sums stay true. A failure
 * of the shared call reaches every part that asked, as it would have alone.
 */
export function coalesceClassifier(inner: Classifier, parts: number): Coalesced {
  let active = parts;
  let waiting: Waiting[] = [];

  const flush = () => {
    if (waiting.length === 0 || waiting.length < active) return;
    const round = waiting;
    waiting = [];
    const messages = new Map<string, MessageMeta>();
    for (const w of round) for (const m of w.input.messages) messages.set(m.id, m);
    const [first] = round;
    inner.classify({ ...first!.input, messages: [...messages.values()] }).then(
      ({ answers, usage }) => {
        round.forEach((w, i) => {
          const own = new Map<string, ClassifierAnswer>();
          for (const m of w.input.messages) {
            const answer = answers.get(m.id);
            if (answer) own.set(m.id, answer);
          }
          w.resolve({ answers: own, usage: i === 0 ? usage : ZERO_USAGE });
        });
      },
      (error: unknown) => {
        for (const w of round) w.reject(error);
      },
    );
  };

  const classifier: Classifier = {
    classify: (input) => {
      if (input.messages.length === 0) {
        return Promise.resolve({ answers: new Map(), usage: ZERO_USAGE });
      }
      return new Promise<ClassifyResult>((resolve, reject) => {
        waiting.push({ input, resolve, reject });
        flush();
      });
    },
    ...(inner.scanBySender ? { scanBySender: inner.scanBySender } : {}),
  };
  return {
    classifier,
    done: () => {
      active--;
      flush();
    },
  };
}
