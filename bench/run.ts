/**
 * The benchmarks: how fast and how cheap a cleanup is, against the simulated Google (real
 * quota, added latency, warped clock) and the fake OpenAI. Each scenario runs in its own
 * process, with the simulated Google in another one.
 *
 *   tsx bench/run.ts [--quick] [--out bench/results.json] [--latency 30-80]
 *   tsx bench/run.ts --incremental-only [--shape long-tail]   (ongoing cleanup's rounds only, at minimum age 0 and
 *     at the default 30 days with the coming-of-age pass a month on and quiet days; nothing written)
 *   tsx bench/run.ts --many-users         (the 1,000-user samples only; nothing written)
 *   tsx bench/run.ts --multi-instance     (the samples on 3 gcp instances only; nothing written)
 *   tsx bench/run.ts --scans 10000:long-tail:by-sender:rules,10000:head-heavy:by-sender:openai
 *     (only those full scans, size:shape:strategy:classifier, at x60; nothing written; a
 *     `:firestore` suffix runs that scan on one MODE=gcp instance over the Firestore emulator
 *     and reports the Firestore documents read, written and deleted per 1,000 messages)
 */
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { firstMessage, forkBench } from './child.js';
import { explain } from './notes.js';
import {
  parseScans,
  runFirestoreScans,
  runManyUsers,
  runMultiInstance,
  runScans,
  runScenarios,
  TARGET,
} from './plan.js';
import { runComingOfAge, runIncremental } from './plan-incremental.js';
import { fullScanTables, manyUsersTable, multiInstanceTables, renderReport } from './report.js';
import { firestoreScanTable } from './report-firestore.js';
import { comingOfAgeLines, comingOfAgeTable, incrementalTable } from './report-incremental.js';
import type { ScenarioName } from './scenario.js';

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    out: { type: 'string', default: 'bench/results.json' },
    latency: { type: 'string', default: '30-80' },
    /** Only ongoing cleanup's rounds, both minimum ages (about 4 minutes); nothing is written. */
    'incremental-only': { type: 'boolean', default: false },
    /** With --incremental-only: the scanned mailbox's shape, head-heavy or long-tail. */
    shape: { type: 'string', default: 'head-heavy' },
    /** Only the 1,000-user samples, both classifiers, extrapolated; nothing is written. */
    'many-users': { type: 'boolean', default: false },
    /** Only the samples on several gcp instances, both classifiers, modelled; nothing is written. */
    'multi-instance': { type: 'boolean', default: false },
    scans: { type: 'string' },
  },
});
const [low, high] = values.latency.split('-').map(Number);
const latency = { ms: low ?? 30, jitterMs: Math.max(0, (high ?? low ?? 30) - (low ?? 30)) };
const quick = values.quick;
const began = Date.now();

async function run<T>(name: ScenarioName, args: object, label: string): Promise<T> {
  const started = Date.now();
  process.stderr.write(`> ${label} ... `);
  const child = forkBench('./scenario.ts', { name, args });
  const reply = await firstMessage(
    child,
    (m): m is { result?: T; error?: string } => typeof m === 'object' && m !== null,
  );
  await new Promise((resolve) =>
    child.exitCode === null ? child.once('exit', resolve) : resolve(0),
  );
  if (reply.error !== undefined || reply.result === undefined)
    throw new Error(`${label}: ${reply.error}`);
  process.stderr.write(`${((Date.now() - started) / 1000).toFixed(1)} s\n`);
  return reply.result;
}

if (values['incremental-only']) {
  const shape = values.shape === 'long-tail' ? 'long-tail' : 'head-heavy';
  const incremental = await runIncremental(quick, latency, run, shape);
  const aging = await runComingOfAge(quick, latency, run, shape);
  console.log(`\n${incrementalTable(incremental)}`);
  for (const r of incremental) console.log(r.classifier, JSON.stringify(r.gmail.byMethod));
  console.log(`\n${comingOfAgeTable(aging)}\n\n${comingOfAgeLines(aging)}`);
  for (const r of aging) console.log(r.classifier, 'syncs', JSON.stringify(r.syncs.byMethod));
  process.exit(0);
}
if (values['many-users']) {
  const manyUsers = await runManyUsers(undefined, latency, run);
  console.log(`\n${manyUsersTable(manyUsers)}`);
  for (const { extrapolated: e } of manyUsers) console.log(JSON.stringify(e.cloud));
  process.exit(0);
}
if (values['multi-instance']) {
  const rows = await runMultiInstance(latency, run);
  console.log(`\n${multiInstanceTables(rows)}`);
  for (const { sample, model } of rows) {
    const { classifier, tasks, gmail } = sample;
    console.log(
      classifier,
      JSON.stringify({ tasks, gmail, bounds: model.bounds, perUser: model.perUser }),
    );
  }
  process.exit(0);
}
if (values.scans !== undefined) {
  const specs = parseScans(values.scans);
  const scans = await runScans(
    specs.filter((s) => !s.firestore),
    latency,
    run,
  );
  const onFirestore = await runFirestoreScans(
    specs.filter((s) => s.firestore),
    latency,
    run,
  );
  if (scans.length > 0) console.log(`\n${fullScanTables(scans)}`);
  if (onFirestore.length > 0) console.log(`\n${firestoreScanTable(onFirestore)}`);
  for (const scan of scans) {
    const { shape, strategy, classifier, size, gmail, store, llm, trashed } = scan;
    const methods = Object.entries(gmail.byMethod).map(([m, c]) => `${m} ${c.calls}/${c.units}u`);
    console.log(
      `${size} ${shape} ${strategy} ${classifier}: ${gmail.unitsPerMessage.toFixed(2)} units/msg, ` +
        `LLM ${llm.callsPer1000.toFixed(1)} calls/1k, store ${store.readsPer1000.toFixed(1)} reads ` +
        `${store.writesPer1000.toFixed(1)} writes /1k; ${trashed} trashed; ${methods.join(', ')}`,
    );
  }
  for (const scan of onFirestore) {
    const { shape, strategy, classifier, size, firestore: f, trashed, store } = scan;
    const documents = Object.entries(f.byMethod)
      .filter(([, o]) => o.reads + o.writes + o.deletes > 0)
      .sort(([, a], [, b]) => b.reads + b.writes - (a.reads + a.writes))
      .map(([m, o]) => `${m} ${store.byMethod[m] ?? 0}x ${o.reads}r/${o.writes}w/${o.deletes}d`);
    console.log(
      `${size} ${shape} ${strategy} ${classifier} on Firestore: ${f.reads} reads, ${f.writes} ` +
        `writes, ${f.deletes} deletes; ${trashed} trashed; by Store method (calls, documents): ` +
        documents.join(', '),
    );
  }
  process.exit(0);
}
const results = await runScenarios(quick, latency, run);
const seconds = (Date.now() - began) / 1000;
const machine = { cpus: cpus().length, cpu: cpus()[0]?.model ?? 'unknown', node: process.version };
const report = renderReport(results);
console.log(`\n${report}\n\n${explain(latency)}`);
console.log(
  `\n${quick ? 'Quick' : 'Full'} run: ${seconds.toFixed(0)} s on ${machine.cpus} cores (${machine.cpu}), Node ${machine.node}.`,
);

const json = {
  mode: quick ? 'quick' : 'full',
  machine,
  latency,
  seconds,
  target: TARGET,
  ...results,
  report,
};
writeFileSync(values.out, `${JSON.stringify(json, null, 2)}\n`);
// The repository's formatter checks JSON too: let it lay the file out (best effort).
const biome = fileURLToPath(new URL('../node_modules/.bin/biome', import.meta.url));
execFile(biome, ['format', '--write', values.out], () => {});
console.log(`Results written to ${values.out}`);
