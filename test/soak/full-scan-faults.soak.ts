import type { GmailFaultMix } from '../reliability/fault-plans.js';
import {
  describeFullScanFaults,
  describeRevokedMidRun,
  type FaultConfig,
} from '../reliability/full-scan-scenario.js';
import type { Strategy } from '../reliability/harness.js';

const ROUNDS = Number(process.env.SOAK_ROUNDS ?? 3);
/** Twice the fast suite's fault rates. */
const HARSH: GmailFaultMix = {
  errorRate: 0.05,
  resetRate: 0.01,
  concurrencyRate: 0.02,
  rateLimitRate: 0.02,
  vanishRate: 0.005,
  latencyRate: 0.3,
  latencyMs: 10,
};

const configs: FaultConfig[] = [];
for (let round = 0; round < ROUNDS; round++) {
  const seed = 10_000 + round * 10;
  configs.push(
    { strategy: 'by-sender' as Strategy, llm: false, size: 10_000, seed, storm: 30, gmail: HARSH },
    {
      strategy: 'by-sender' as Strategy,
      llm: true,
      size: 4_000,
      seed: seed + 1,
      storm: 30,
      gmail: HARSH,
    },
    {
      strategy: 'by-message' as Strategy,
      llm: false,
      size: 5_000,
      seed: seed + 2,
      storm: 30,
      gmail: HARSH,
    },
    {
      strategy: 'by-message' as Strategy,
      llm: true,
      size: 4_000,
      seed: seed + 3,
      storm: 30,
      gmail: HARSH,
      openAiRate: 0.8,
    },
  );
}
describeFullScanFaults(configs);
describeRevokedMidRun(
  Array.from({ length: ROUNDS }, (_, round) => [
    { strategy: 'by-sender' as Strategy, llm: true, seed: 20_000 + round },
    { strategy: 'by-message' as Strategy, llm: false, seed: 20_100 + round },
  ]).flat(),
);
