import { loadConfig } from '../src/config.js';
import { type BenchService, startBenchService } from './service.js';
import { Warp } from './warp.js';
import type { AccountRequest } from './world.js';
import { startWorld, type World } from './world-client.js';

/** Gmail's real budgets (2026 table): every scenario runs at them. */
export const USER_UNITS_PER_MINUTE = 6_000;
export const PROJECT_UNITS_PER_MINUTE = 1_200_000;
export const MODEL = loadConfig({}).openai.model;

export interface Latency {
  readonly ms: number;
  readonly jitterMs: number;
}

export interface Bench {
  readonly warp: Warp;
  readonly world: World;
  readonly svc: BenchService;
  /** Google's `sub` of each account, in order. */
  readonly subs: readonly string[];
  /** From now on, time runs `factor` times faster on both sides. */
  speedUp(factor: number): Promise<void>;
  /** Both sides' clocks jump `ms` forward at once; the factor stays. */
  jump(ms: number): Promise<void>;
  close(): Promise<void>;
}

/** The world (simulated Google + fake OpenAI) in a child process, the service in this one. */
export async function openBench(
  latency: Latency,
  accounts: readonly AccountRequest[],
  env: Record<string, string> = {},
): Promise<Bench> {
  const warp = new Warp();
  const world = await startWorld({
    clock: warp.current,
    latency,
    userUnitsPerMinute: USER_UNITS_PER_MINUTE,
    projectUnitsPerMinute: PROJECT_UNITS_PER_MINUTE,
    model: MODEL,
  });
  const subs = await world.call.addAccounts(accounts);
  const svc = await startBenchService(world, warp, {
    GMAIL_USER_UNITS_PER_MINUTE: String(USER_UNITS_PER_MINUTE),
    GMAIL_PROJECT_UNITS_PER_MINUTE: String(PROJECT_UNITS_PER_MINUTE),
    ...env,
  });
  return {
    warp,
    world,
    svc,
    subs,
    async speedUp(factor) {
      await world.call.setClock(warp.speedUp(factor));
    },
    async jump(ms) {
      await world.call.setClock(warp.jump(ms));
    },
    async close() {
      await svc.close();
      await world.close();
    },
  };
}
