import { describeKills } from '../reliability/kill-scenario.js';

describeKills([
  { strategy: 'by-sender', llm: false, seed: 30_001, size: 8_000, kills: 8, killSync: true },
  { strategy: 'by-sender', llm: true, seed: 30_002, size: 3_000, kills: 6 },
  { strategy: 'by-message', llm: true, seed: 30_003, size: 3_000, kills: 6 },
  { strategy: 'by-message', llm: false, seed: 30_004, size: 5_000, kills: 8, killSync: true },
]);
