import type { Strategy } from './harness.js';
import { describeKills } from './kill-scenario.js';

// The default strategy with the rules; `npm run soak` adds the LLM, more kills, and a kill
// between a notification and its sync.
describeKills([
  {
    strategy: 'by-sender' as Strategy,
    llm: false,
    seed: 401,
    size: 2_000,
    kills: 3,
  },
]);
