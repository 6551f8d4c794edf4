/**
 * Runs one scenario in a fresh process (so its peak memory is its own) and reports the result
 * to the parent over IPC: `{ result }` or `{ error }`.
 */
import { naiveBaseline } from './baseline.js';
import { comingOfAge } from './scenario-coming-of-age.js';
import { firestoreScan } from './scenario-firestore-scan.js';
import { fullScan } from './scenario-full-scan.js';
import { incremental } from './scenario-incremental.js';
import { manyUsers } from './scenario-many-users.js';
import { multiInstance } from './scenario-multi-instance.js';

export const SCENARIOS = {
  'full-scan': fullScan,
  'firestore-scan': firestoreScan,
  'many-users': manyUsers,
  'multi-instance': multiInstance,
  incremental,
  'coming-of-age': comingOfAge,
  baseline: naiveBaseline,
} as const;

export type ScenarioName = keyof typeof SCENARIOS;

const { name, args } = JSON.parse(process.argv[2] ?? '{}') as { name: ScenarioName; args: never };
try {
  const result = await SCENARIOS[name](args);
  process.send?.({ result });
} catch (error) {
  process.send?.({ error: String((error as Error)?.stack ?? error) });
} finally {
  process.disconnect?.();
}
