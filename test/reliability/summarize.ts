import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * `tsx test/reliability/summarize.ts [soak-figures.jsonl]`: adds up the figures the reliability
 * scenarios wrote to test-results/reliability/figures.jsonl, for the README. Every line counts:
 * remove the file before the run to be summed.
 */

type Figures = Record<string, unknown> & { scenario: string };

const file = join(
  import.meta.dirname,
  '..',
  '..',
  'test-results',
  'reliability',
  process.argv[2] ?? 'figures.jsonl',
);
const all = readFileSync(file, 'utf8')
  .split('\n')
  .filter((line) => line.trim() !== '')
  .map((line) => JSON.parse(line) as Figures);
const num = (value: unknown) => (typeof value === 'number' ? value : 0);
const sum = (pick: (f: Figures) => unknown) => all.reduce((n, f) => n + num(pick(f)), 0);
const sumValues = (value: unknown) =>
  value && typeof value === 'object'
    ? Object.values(value as Record<string, unknown>).reduce<number>((n, v) => n + num(v), 0)
    : 0;

const kinds = new Set<string>();
for (const f of all) {
  for (const kind of (f.gmailKinds as string[] | undefined) ?? []) kinds.add(`gmail ${kind}`);
  for (const kind of Object.keys((f.openAiFaults as object | undefined) ?? {})) {
    kinds.add(`openai ${kind}`);
  }
  if (num(f.kills) > 0) kinds.add('SIGKILL');
}

const summary = {
  scenarios: all.length,
  messagesScanned: sum((f) =>
    f.scenario.startsWith('full scan') || f.scenario.startsWith('SIGKILL') ? f.messages : 0,
  ),
  gmailFaultsInjected: sum((f) => f.gmailFaults) + sum((f) => f.vanished),
  openAiFaultsInjected: all.reduce((n, f) => n + sumValues(f.openAiFaults), 0),
  kills: sum((f) => f.kills),
  historyExpired:
    sum((f) => f.historyExpired) + all.filter((f) => f.scenario.startsWith('full scan')).length,
  grantsRevoked: all.filter((f) => f.scenario.startsWith('revoked')).length + 1,
  faultKinds: [...kinds].sort(),
  notificationsPushed: sum((f) => f.pushes),
  badInputsTried: sum((f) => f.inputsTried),
  fuzzCases: all.reduce((n, f) => n + sumValues(f.cases), 0),
  messagesLost: sum((f) => f.lost),
  protectedTrashed: sum((f) => f.protectedTrashed),
  logLeaks: sum((f) => f.leaks),
};
console.log(JSON.stringify(summary, null, 2));
for (const f of all)
  console.log(`${f.scenario}: ${JSON.stringify({ ...f, scenario: undefined, at: undefined })}`);
