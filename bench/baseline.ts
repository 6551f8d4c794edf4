import { OAuth2Client } from 'google-auth-library';
import { z } from 'zod';
import { createGmailClient } from '../src/adapters/gmail/gmail-client.js';
import { toMessageMeta } from '../src/adapters/gmail/gmail-metadata.js';
import { QuotaScheduler } from '../src/adapters/gmail/quota-scheduler.js';
import { googleEndpoints } from '../src/adapters/google-auth/google-endpoints.js';
import { createOpenAiClient } from '../src/adapters/openai/openai-client.js';
import { buildPrompt, messageItem } from '../src/adapters/openai/prompt.js';
import { callStructured } from '../src/adapters/openai/structured-call.js';
import { addCall, DEFAULT_LLM_PRICES, priceFor } from '../src/domain/llm-prices.js';
import { METADATA_HEADERS } from '../src/domain/message.js';
import { type LlmUsage, ZERO_USAGE } from '../src/domain/model.js';
import { protectionReason } from '../src/domain/protection.js';
import { VALID_KEY } from '../test/helpers/fake-openai.js';
import { TEST_CLIENT } from '../test/helpers/simulated-google.js';
import { startMeter } from './meter.js';
import { type Latency, MODEL, openBench, USER_UNITS_PER_MINUTE } from './setup.js';

export interface BaselineArgs {
  readonly size: number;
  readonly seed: number;
  /** Messages actually processed (the first listed); figures are per message. */
  readonly sample: number;
  readonly warp: number;
  readonly latency: Latency;
  /** Messages in flight at once (the service's queue runs 8 tasks). */
  readonly workers: number;
}

const OWNER = 'bench-owner@example.com';
const answer = z.object({
  messages: z.array(z.object({ id: z.string(), action: z.enum(['trash', 'keep']) })),
});

/**
 * The naive design, for comparison, against the same simulated Google and fake OpenAI: list
 * every id, read each message with its own messages.get, one LLM call per message (the
 * service's prompt with one item), then trash with batchModify. It spends the same per-user
 * budget through the same QuotaScheduler, so it never gets a 429 either.
 */
export async function naiveBaseline(args: BaselineArgs) {
  const bench = await openBench(args.latency, [{ email: OWNER, size: args.size, seed: args.seed }]);
  try {
    const { world, warp } = bench;
    const auth = new OAuth2Client(TEST_CLIENT);
    auth.setCredentials({ access_token: await world.call.accessToken(OWNER) });
    const gmail = createGmailClient(auth, googleEndpoints(world.googleUrl));
    const scheduler = new QuotaScheduler({
      userUnitsPerMinute: USER_UNITS_PER_MINUTE,
      clock: warp.clock,
      sleep: warp.sleep,
    });
    const call = {
      client: createOpenAiClient(VALID_KEY, {
        baseUrl: world.openAiUrl,
        model: MODEL,
        timeoutMs: 60_000,
      }),
      model: MODEL,
      sleep: warp.sleep,
      maxRateLimitWaitMs: 60_000,
    };
    const price = priceFor(DEFAULT_LLM_PRICES, MODEL);
    await world.call.resetStats();
    await bench.speedUp(args.warp);
    warp.resetWaits();
    const meter = await startMeter(world);

    const ids: string[] = [];
    let pageToken: string | undefined;
    do {
      const { data } = await scheduler.run(OWNER, 5, () =>
        gmail.users.messages.list({ userId: 'me', maxResults: 500, pageToken }),
      );
      ids.push(...(data.messages ?? []).map((m) => m.id!));
      pageToken = data.nextPageToken ?? undefined;
    } while (pageToken);
    const sample = ids.slice(0, args.sample);

    let usage: LlmUsage = ZERO_USAGE;
    const trash: string[] = [];
    const now = warp.clock.now();
    let next = 0;
    const worker = async () => {
      while (next < sample.length) {
        const id = sample[next++]!;
        const { data } = await scheduler.run(OWNER, 20, () =>
          gmail.users.messages.get({
            userId: 'me',
            id,
            format: 'metadata',
            metadataHeaders: [...METADATA_HEADERS],
          }),
        );
        const meta = toMessageMeta(data, id);
        const prompt = buildPrompt('messages', [messageItem('m1', meta, now)], '');
        const outcome = await callStructured(call, prompt, answer, 'message_decisions', 2_060);
        for (const tokens of outcome.requests) usage = addCall(usage, price, tokens);
        const verdict = outcome.result.ok ? outcome.result.value.messages[0]?.action : 'keep';
        const safe = protectionReason(meta, { keepSenders: [], markedThreads: new Map() });
        if (verdict === 'trash' && safe === null) trash.push(id);
      }
    };
    await Promise.all(Array.from({ length: args.workers }, worker));
    for (let i = 0; i < trash.length; i += 1_000) {
      const chunk = trash.slice(i, i + 1_000);
      await scheduler.run(OWNER, 50, () =>
        gmail.users.messages.batchModify({
          userId: 'me',
          requestBody: { ids: chunk, addLabelIds: ['TRASH'] },
        }),
      );
    }
    const measured = await meter.stop();
    const stats = await world.call.stats(OWNER);

    const n = sample.length;
    const per1000 = (x: number) => (x * 1000) / n;
    const scale = ids.length / n;
    // Listing covered the whole mailbox already; the rest grows with the messages read.
    const listUnits = stats.methods['users.messages.list']?.units ?? 0;
    const units = listUnits + (stats.totalUnits - listUnits) * scale;
    const floorMinutes = units / USER_UNITS_PER_MINUTE;
    const busyMinutes = (Math.max(0, measured.wallMs - warp.quotaWaitMs()) * scale) / 60_000;
    return {
      scenario: 'baseline' as const,
      size: args.size,
      messages: ids.length,
      sample: n,
      /** Figures for the whole mailbox are the sample's, scaled by messages / sample. */
      extrapolated: n < ids.length,
      trashed: Math.round(trash.length * scale),
      gmail: {
        units,
        unitsPerMessage: units / ids.length,
        getsPerMessage: (stats.methods['users.messages.get']?.calls ?? 0) / n,
        rateLimited: stats.rateLimited,
        peakUnitsPerMinute: stats.peakUserUnitsPerMinute,
      },
      time: {
        warp: args.warp,
        wallSeconds: measured.wallMs / 1000,
        floorMinutes,
        busyMinutes,
        deploymentMinutes: Math.max(floorMinutes, busyMinutes),
      },
      cpu: { clientPer1000Ms: per1000(measured.serviceCpuMs), worldMs: measured.worldCpuMs },
      llm: {
        calls: usage.calls * scale,
        inputTokens: usage.inputTokens * scale,
        outputTokens: usage.outputTokens * scale,
        costUsd: usage.costUsd * scale,
        callsPer1000: per1000(usage.calls),
        tokensPer1000: per1000(usage.inputTokens + usage.outputTokens),
        costPer1000Usd: per1000(usage.costUsd),
      },
    };
  } finally {
    await bench.close();
  }
}

export type BaselineResult = Awaited<ReturnType<typeof naiveBaseline>>;
