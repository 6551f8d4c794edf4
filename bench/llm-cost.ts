/**
 * What the LLM classification costs on the demo mailbox (10,000 messages, the demo seed),
 * with the default model: the real OpenAiClassifier, batch by batch as the batch task runs it
 * (500 ids a batch, protected mail filtered out first), against the local fake OpenAI, which
 * counts tokens at about 3.5 characters a token. Then a rerun, with the sender cache warm.
 *
 *   tsx bench/llm-cost.ts [size] [seed]
 */

import { toMessageMeta } from '../src/adapters/gmail/gmail-metadata.js';
import { loadConfig } from '../src/config.js';
import { costUsd, DEFAULT_LLM_PRICES, priceFor } from '../src/domain/llm-prices.js';
import { METADATA_HEADERS, type MessageMeta } from '../src/domain/message.js';
import { DEFAULT_POLICY, type LlmUsage, ZERO_USAGE } from '../src/domain/model.js';
import { protectionReason } from '../src/domain/protection.js';
import { addUsage } from '../src/domain/run-progress.js';
import { DEMO_EMAIL } from '../src/local/demo-google.js';
import { formatMessage } from '../src/local/google/gmail-message-format.js';
import { SimulatedGoogle } from '../src/local/google/simulated-google.js';
import { startFakeOpenAi } from '../test/helpers/fake-openai.js';
import { markedConversations } from '../test/helpers/marked-conversations.js';
import { MemorySenderCache } from '../test/helpers/message-meta.js';
import { classifierFor } from '../test/helpers/openai-classifier.js';

const size = Number(process.argv[2] ?? 10_000);
const seed = Number(process.argv[3] ?? loadConfig({}).demo.seed);
const model = loadConfig({}).openai.model;
const BATCH = 500;

const google = new SimulatedGoogle({ clients: [] });
google.addAccount({ email: DEMO_EMAIL, mailbox: { size, seed } });
const all = [...google.account(DEMO_EMAIL).messagesAfter(undefined)];
const listed = all
  .filter((m) => !m.labelIds.includes('SPAM') && !m.labelIds.includes('TRASH'))
  .sort((a, b) => b.internalDate - a.internalDate);
const ctx = {
  keepSenders: DEFAULT_POLICY.keepSenders,
  markedThreads: markedConversations(all),
};
const metas: MessageMeta[] = listed.map((m) =>
  toMessageMeta(formatMessage(m, 'metadata', METADATA_HEADERS)),
);

const fake = await startFakeOpenAi([model]);
const senders = new MemorySenderCache();
const now = Date.now();

async function run(): Promise<{ usage: LlmUsage; candidates: number }> {
  const { classifier } = classifierFor(fake, { senders });
  let usage = ZERO_USAGE;
  let candidates = 0;
  for (let i = 0; i < metas.length; i += BATCH) {
    const batch = metas.slice(i, i + BATCH).filter((m) => protectionReason(m, ctx) === null);
    candidates += batch.length;
    if (batch.length === 0) continue;
    const result = await classifier.classify({
      userId: 'bench',
      policy: DEFAULT_POLICY,
      messages: batch,
      now,
    });
    usage = addUsage(usage, result.usage);
  }
  return { usage, candidates };
}

const per1000 = (n: number) => (n * 1000) / metas.length;
const report = (label: string, { usage, candidates }: Awaited<ReturnType<typeof run>>) => {
  const tokens = { ...usage, cachedInputTokens: 0 };
  console.log(`\n${label}`);
  console.log(`  messages listed ${metas.length}, sent to the classifier ${candidates}`);
  console.log(
    `  LLM calls ${usage.calls} (${per1000(usage.calls).toFixed(2)} per 1,000 messages; one call per ${(metas.length / Math.max(1, usage.calls)).toFixed(0)} messages)`,
  );
  console.log(
    `  tokens in ${usage.inputTokens}, out ${usage.outputTokens} (per 1,000 messages: ${per1000(usage.inputTokens).toFixed(0)} in, ${per1000(usage.outputTokens).toFixed(0)} out)`,
  );
  console.log(
    `  cost with ${model}: $${usage.costUsd.toFixed(5)} ($${per1000(usage.costUsd).toFixed(5)} per 1,000 messages)`,
  );
  for (const other of ['gpt-5.4-nano', 'gpt-4.1-nano', 'gpt-5-mini']) {
    const cost = costUsd(priceFor(DEFAULT_LLM_PRICES, other), tokens);
    console.log(`    same tokens with ${other}: $${per1000(cost).toFixed(5)} per 1,000 messages`);
  }
};

console.log(`demo mailbox: ${size} messages, seed ${seed}, model ${model}, batches of ${BATCH}`);
report('full scan (empty sender cache)', await run());
const requests = fake.requests.length;
const sendersAsked = fake.requests.filter((r) => r.prompt.kind === 'senders').length;
console.log(`  (${sendersAsked} sender calls, ${requests - sendersAsked} message calls)`);
report('rerun (sender cache warm)', await run());
await fake.close();
