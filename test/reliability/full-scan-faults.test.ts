import { describeFullScanFaults, describeRevokedMidRun } from './full-scan-scenario.js';
import type { Strategy } from './harness.js';

// Both strategies with the LLM, the default one with the rules too; `npm run soak` runs every
// combination, more seeds, bigger mailboxes, harsher faults.
describeFullScanFaults([
  { strategy: 'by-sender' as Strategy, llm: false, size: 2_000, seed: 101 },
  { strategy: 'by-sender' as Strategy, llm: true, size: 1_200, seed: 102 },
  { strategy: 'by-message' as Strategy, llm: true, size: 1_200, seed: 104 },
]);

describeRevokedMidRun([
  { strategy: 'by-sender', llm: false, seed: 201 },
  { strategy: 'by-message', llm: true, seed: 202 },
]);
