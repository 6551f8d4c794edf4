import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aCountedStore } from '../../test/helpers/counted-store.js';
import { startFakeOpenAi, VALID_KEY } from '../../test/helpers/fake-openai.js';
import { meta, NOW, promo } from '../../test/helpers/message-meta.js';
import { OpenAiClassifier } from '../adapters/openai/openai-classifier.js';
import { createOpenAiClient } from '../adapters/openai/openai-client.js';
import { DEFAULT_LLM_PRICES } from '../domain/llm-prices.js';
import type { MessageMeta } from '../domain/message.js';
import {
  type Batch,
  DEFAULT_POLICY,
  type PackedPart,
  type User,
  ZERO_USAGE,
} from '../domain/model.js';
import type { Mailbox, Store } from '../domain/ports.js';
import { senderKey } from '../domain/sender-groups.js';
import { silentLogger } from '../log.js';
import { decideBatch } from './decide-batch.js';
import type { JobDeps } from './job-deps.js';

type FakeOpenAi = Awaited<ReturnType<typeof startFakeOpenAi>>;
let fake: FakeOpenAi;
beforeAll(async () => {
  fake = await startFakeOpenAi();
});
afterAll(() => fake.close());

/** The OpenAI classifier against the local fake, caching its sender decisions in `store`. */
function openAi(store: Store): OpenAiClassifier {
  return new OpenAiClassifier({
    call: {
      client: createOpenAiClient(VALID_KEY, {
        baseUrl: fake.baseUrl,
        model: 'gpt-5-nano',
        timeoutMs: 10_000,
      }),
      model: 'gpt-5-nano',
      sleep: async () => {},
      maxRateLimitWaitMs: 60_000,
    },
    price: DEFAULT_LLM_PRICES['gpt-5-nano'],
    senders: store,
    log: silentLogger,
  });
}

const senderPart = (samples: MessageMeta[], count: number): PackedPart => ({
  count,
  plan: {
    kind: 'sender',
    facts: {
      protectedBy: null,
      category: samples[0]!.labelIds.includes('CATEGORY_PERSONAL') ? 'personal' : 'promotions',
      important: false,
      old: true,
    },
    threadIds: samples.map((s) => s.threadId),
    sender: samples[0]!.fromAddress,
    samples,
  },
});

describe('decideBatch with a packed batch of senders, for the OpenAI classifier', () => {
  it('reads the sender decisions once for the whole batch and saves what the model decided in one write', async () => {
    const { store, calls } = aCountedStore();
    const user = { id: 'user-1', policy: DEFAULT_POLICY } as User;
    const shops = ['deals@north.example', 'news@south.example', 'sale@east.example'];
    const mail = shops.map((shop) => [promo(shop), promo(shop)]);
    const friend = meta({ fromAddress: 'kim@people.example' });
    const messages = [...mail.flat(), friend];
    const batch: Batch = {
      runId: 'run-1',
      batchNo: 0,
      messageIds: messages.map((m) => m.id),
      nextPageToken: 'by-sender',
      listedThrough: messages.length,
      status: 'pending',
      decisions: [],
      llm: ZERO_USAGE,
      plan: {
        kind: 'packed',
        parts: [...mail.map((samples) => senderPart(samples, 2)), senderPart([friend], 1)],
      },
    };
    const deps = {
      store,
      classifierFor: async () => openAi(store),
      clock: { now: () => NOW },
      log: silentLogger,
    } as unknown as JobDeps;
    const nothingToRead = { getMetadata: async () => new Map() } as unknown as Mailbox;
    const run = { id: 'run-1', userId: user.id, startedAt: NOW, startHistoryId: '1' };

    const result = await decideBatch(deps, run as never, user, nothingToRead, batch);

    expect(result.decisions.map((d) => [d.id, d.decision])).toEqual([
      ...mail.flat().map((m) => [m.id, 'trash']),
      [friend.id, 'keep'],
    ]);
    expect(calls.getSenderDecisions).toBe(1);
    expect(calls.putSenderDecisions).toBe(1);
    const keys = mail.map(([first]) => senderKey(first!));
    const saved = await store.getSenderDecisions(user.id, keys);
    expect(keys.map((key) => saved.get(key)?.action)).toEqual(['trash', 'trash', 'trash']);
  });
});
