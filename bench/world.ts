/**
 * The outside world of a benchmark, in its own process so that its CPU is not billed to the
 * service: the simulated Google (quota enforced, latency added per HTTP round trip) and the
 * fake OpenAI server. Driven over IPC by world-client.ts; exits when the parent goes away.
 */
import { type MailboxShape, makeIncomingMessage } from '../src/local/google/mailbox-generator.js';
import { Random } from '../src/local/google/random.js';
import type { SimMessage } from '../src/local/google/sim-types.js';
import { SimulatedGoogle } from '../src/local/google/simulated-google.js';
import { startFakeOpenAi } from '../test/helpers/fake-openai.js';
import { listen } from '../test/helpers/listen.js';
import { disposable, personal } from '../test/helpers/ongoing-cleanup.js';
import { TEST_CLIENT } from '../test/helpers/simulated-google.js';
import { type WarpState, warpedNow } from './warp.js';

export interface WorldOptions {
  readonly clock: WarpState;
  /** Real ms added to every Gmail HTTP request (a batch is one request): ms + [0, jitterMs). */
  readonly latency: { readonly ms: number; readonly jitterMs: number };
  readonly userUnitsPerMinute: number;
  readonly projectUnitsPerMinute: number;
  readonly model: string;
}

export interface AccountRequest {
  readonly email: string;
  readonly size: number;
  readonly seed: number;
  /** The generated mailbox's shape; head-heavy when omitted. */
  readonly shape?: MailboxShape | undefined;
}

const options = JSON.parse(process.argv[2] ?? '{}') as WorldOptions;
let clock = options.clock;
const now = () => warpedNow(clock);
const google = new SimulatedGoogle({
  clients: [TEST_CLIENT],
  now,
  userUnitsPerMinute: options.userUnitsPerMinute,
  projectUnitsPerMinute: options.projectUnitsPerMinute,
  // Access tokens outlive any warped run, so no refresh happens mid-scan.
  accessTokenTtlSeconds: 365 * 86_400,
});
const roundTrips = { gmail: 0, batch: 0, latencyMs: 0 };
const { ms, jitterMs } = options.latency;

const server = await listen(async (request) => {
  const path = new URL(request.url).pathname;
  const gmail = path.startsWith('/gmail/');
  if (gmail || path.startsWith('/batch/')) {
    const delay = ms + Math.random() * jitterMs;
    roundTrips[gmail ? 'gmail' : 'batch']++;
    roundTrips.latencyMs += delay;
    if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
  }
  return google.app.fetch(request);
});
const openAi = await startFakeOpenAi([options.model]);

const ops = {
  addAccounts(specs: readonly AccountRequest[]) {
    return specs.map(
      ({ email, size, seed, shape }) =>
        google.addAccount({ email, mailbox: { size, seed, shape } }).sub,
    );
  },
  setClock(state: WarpState) {
    clock = state;
  },
  stats(email?: string) {
    return {
      ...google.stats.snapshot(email),
      peakUserUnitsPerMinute: email ? google.quota.peakUserUnitsPerMinute(email) : 0,
      roundTrips: { ...roundTrips },
      notifier: { ...google.notifier.counters },
    };
  },
  resetStats() {
    google.stats.reset();
    Object.assign(roundTrips, { gmail: 0, batch: 0, latencyMs: 0 });
  },
  usage() {
    const memory = process.memoryUsage();
    return { cpu: process.cpuUsage(), rss: memory.rss, maxRss: process.resourceUsage().maxRSS };
  },
  openAi() {
    return { ...openAi.stats, requests: openAi.requests.length };
  },
  accessToken(email: string) {
    return google.oauth.issueAccessToken(email, ['https://www.googleapis.com/auth/gmail.modify']);
  },
  pushTo(topic: string, url: string) {
    google.notifier.setTopic(topic, { kind: 'push', url });
  },
  /**
   * New mail arrives: `junk` promotions (the first `known` of them from bulk senders the
   * mailbox already holds mail of, the rest from new ones) and `people` personal messages;
   * returns their ids.
   */
  deliver(email: string, junk: number, people: number, seed: number, known = 0) {
    const rng = new Random(seed);
    const account = google.account(email);
    const senders = [
      ...new Map(
        [...account.messagesAfter(undefined)]
          .filter((m) => m.from.bulk && m.labelIds.includes('CATEGORY_PROMOTIONS'))
          .map((m) => [m.from.address, m.from]),
      ).values(),
    ];
    const fromKnown = (): SimMessage => ({
      ...makeIncomingMessage(rng, email, now() - 60_000, 'bulk', { from: rng.pick(senders) }),
      labelIds: ['CATEGORY_PROMOTIONS', 'INBOX', 'UNREAD'],
    });
    const messages = [
      ...Array.from({ length: Math.min(known, junk) }, fromKnown),
      ...Array.from({ length: Math.max(0, junk - known) }, () => disposable(rng, email)),
      ...Array.from({ length: people }, () => personal(rng, email)),
    ];
    for (const message of messages) google.deliver(email, message);
    return messages.map((m) => m.id);
  },
  trashed(email: string, ids: readonly string[]) {
    const account = google.account(email);
    return ids.filter((id) => account.message(id)?.labelIds.includes('TRASH')).length;
  },
};

export type WorldOps = typeof ops;

interface Call {
  readonly id: number;
  readonly op: keyof WorldOps;
  readonly args: unknown[];
}

process.on('message', async (call: Call) => {
  try {
    const fn = ops[call.op] as (...args: unknown[]) => unknown;
    const value = await fn(...call.args);
    process.send?.({ id: call.id, ok: true, value });
  } catch (error) {
    process.send?.({ id: call.id, ok: false, error: String((error as Error)?.stack ?? error) });
  }
});
process.on('disconnect', () => {
  void Promise.all([server.close(), openAi.close()]).finally(() => process.exit(0));
});
process.send?.({ ready: true, googleUrl: server.url, openAiUrl: openAi.baseUrl });
