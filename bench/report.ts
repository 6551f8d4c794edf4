import type { BaselineResult } from './baseline.js';
import type { Extrapolation, ScanRow } from './extrapolate.js';
import type { ClusterModel } from './extrapolate-cluster.js';
import { firestoreScanTable } from './report-firestore.js';
import { comingOfAgeLines, comingOfAgeTable, incrementalTable } from './report-incremental.js';
import type { ComingOfAgeResult } from './scenario-coming-of-age.js';
import type { FirestoreScanResult } from './scenario-firestore-scan.js';
import type { IncrementalResult } from './scenario-incremental.js';
import type { ManyUsersResult } from './scenario-many-users.js';
import type { MultiInstanceResult } from './scenario-multi-instance.js';

export interface Results {
  readonly fullScans: ScanRow[];
  readonly baseline: BaselineResult | undefined;
  readonly manyUsers: { sample: ManyUsersResult; extrapolated: Extrapolation }[];
  /** Samples on several MODE=gcp instances (absent from results written before they existed). */
  readonly multiInstance?: { sample: MultiInstanceResult; model: ClusterModel }[];
  readonly incremental: readonly IncrementalResult[];
  /** Ongoing cleanup at the default minimum age, a month on (absent from older results). */
  readonly comingOfAge?: readonly ComingOfAgeResult[];
  /** Full scans on one MODE=gcp instance (absent from results written before they existed). */
  readonly firestoreScans?: readonly FirestoreScanResult[];
}

const n = (value: number, digits = 0) =>
  value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
const k = (size: number) => (size >= 1000 ? `${size / 1000}k` : String(size));
const shaped = (r: ScanRow, size: number) =>
  `${k(size)}${r.shape === 'long-tail' ? ' long-tail' : ''}`;
const mailbox = (r: ScanRow) =>
  r.extrapolatedFrom
    ? `${shaped(r, r.size)} (extrapolated from ${k(r.extrapolatedFrom)})`
    : shaped(r, r.size);
const measuredOnly = (r: ScanRow, text: () => string) => (r.extrapolatedFrom ? '-' : text());
const minutes = (m: number) =>
  m < 1 ? `${n(m * 60)} s` : m < 120 ? `${n(m, 1)} min` : `${n(m / 60, 1)} h`;
const strategy = (r: { strategy: string; effectiveStrategy?: string; classifier: string }) =>
  `${r.strategy}${r.effectiveStrategy && r.effectiveStrategy !== r.strategy ? ` (ran ${r.effectiveStrategy})` : ''}, ${r.classifier === 'openai' ? 'LLM' : 'rules'}`;

/** A Markdown table. */
export function table(head: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [line(head), line(head.map(() => '---')), ...rows.map(line)].join('\n');
}

export function fullScanTables(scans: readonly ScanRow[]): string {
  const gmail = table(
    [
      'Mailbox',
      'Strategy',
      'Units/msg',
      'gets/msg',
      'Units',
      'Floor',
      'Busy',
      'Deployment',
      'Bound by',
      'Simulated (warp)',
      'Bench wall',
      '429s',
    ],
    scans.map((r) => [
      mailbox(r),
      strategy(r),
      n(r.gmail.unitsPerMessage, 2),
      n(r.gmail.getsPerMessage, 3),
      n(r.gmail.units),
      minutes(r.time.floorMinutes),
      minutes(r.time.busyMinutes),
      minutes(r.time.deploymentMinutes),
      r.time.floorMinutes >= r.time.busyMinutes ? 'quota' : 'latency',
      measuredOnly(r, () => `${minutes(r.time.simulatedMinutes)} (x${r.time.warp})`),
      measuredOnly(r, () => `${n(r.time.wallSeconds)} s`),
      n(r.gmail.rateLimited),
    ]),
  );
  const cost = table(
    [
      'Mailbox',
      'Strategy',
      'CPU ms/1k (service)',
      'CPU ms/1k (simulator)',
      'Peak RSS (growth) / heap MB',
      'LLM calls/1k',
      'Tokens/1k',
      'LLM $/1k',
      'Store reads/1k',
      'Store writes/1k',
    ],
    scans.map((r) => [
      mailbox(r),
      strategy(r),
      n(r.cpu.servicePer1000Ms),
      n((r.cpu.worldMs * 1000) / r.messages),
      measuredOnly(
        r,
        () =>
          `${n(r.memory.peakRssMb)} (+${n(r.memory.peakRssMb - r.memory.startRssMb)}) / ${n(r.memory.peakHeapMb)}`,
      ),
      n(r.llm.callsPer1000, 1),
      n(r.llm.tokensPer1000),
      `$${n(r.llm.costPer1000Usd, 4)}`,
      n(r.store.readsPer1000, 1),
      n(r.store.writesPer1000, 1),
    ]),
  );
  const measured = scans.filter((r) => !r.extrapolatedFrom);
  const store = measured.map(
    (r) => `- ${mailbox(r)}, ${strategy(r)}: ${storeBreakdown(r.store.byMethod, r.messages)}`,
  );
  return `${gmail}\n\n${cost}\n\nStore calls per 1,000 messages, by method:\n\n${store.join('\n')}`;
}

/**
 * Store calls per 1,000 messages by method, busiest first: where a scan's reads and writes
 * go, for whoever tunes the store or sizes a Firestore bill.
 */
export function storeBreakdown(byMethod: Readonly<Record<string, number>>, messages: number) {
  const per1000 = (calls: number) => (messages === 0 ? 0 : (calls * 1000) / messages);
  return Object.entries(byMethod)
    .sort(([, a], [, b]) => b - a)
    .map(([method, calls]) => `${method} ${n(per1000(calls), 1)}`)
    .join(', ');
}

export function baselineTable(base: BaselineResult, scans: readonly ScanRow[]): string {
  const same = scans.filter(
    (s) => s.size === base.size && !s.extrapolatedFrom && s.shape !== 'long-tail',
  );
  const rows: [string, (r: BaselineResult | ScanRow) => number, (x: number) => string][] = [
    ['Gmail units', (r) => r.gmail.units, (x) => n(x)],
    ['LLM calls', (r) => r.llm.calls, (x) => n(x)],
    ['LLM tokens', (r) => r.llm.inputTokens + r.llm.outputTokens, (x) => n(x)],
    ['LLM cost', (r) => r.llm.costUsd, (x) => `$${n(x, 4)}`],
    ['Time at 6,000 units/min', (r) => r.time.deploymentMinutes, minutes],
  ];
  return table(
    [
      '',
      `Naive baseline${base.extrapolated ? ` (${n(base.sample)}-message sample, scaled)` : ''}`,
      ...same.map((s) => `${strategy(s)} (ratio)`),
    ],
    rows.map(([label, pick, show]) => [
      label,
      show(pick(base)),
      ...same.map((s) => `${show(pick(s))} (${ratio(pick(base), pick(s))})`),
    ]),
  );
}

const ratio = (a: number, b: number) => (b === 0 ? 'n/a' : `${n(a / b, a / b < 10 ? 1 : 0)}x`);

export function manyUsersTable(items: Results['manyUsers']): string {
  return table(
    [
      'Variant',
      'Sample (measured)',
      'Units/user',
      'Tasks/user',
      'CPU ms/msg',
      'Sample time (model)',
      'Cloud: 1,000 users',
      'x project floor',
      'Instances',
      'One local process',
    ],
    items.map(({ sample: s, extrapolated: e }) => [
      strategy(s),
      `${s.users} x ${k(s.size)}: ${n(s.time.wallSeconds)} s wall, ${minutes(s.time.simulatedMinutes)} simulated`,
      n(e.perUser.units),
      n(e.perUser.tasks, 1),
      n(s.cpu.servicePerMessageMs, 3),
      minutes(e.check.predictedSampleMinutes),
      `${minutes(e.cloud.minutes)} (${e.cloud.limitedBy})`,
      // The project's Gmail quota is the floor no deployment can beat: how close it comes.
      `${n(e.cloud.minutes / e.cloud.bounds.project, 2)}x`,
      n(e.cloud.instances),
      `${minutes(e.local.minutes)} (${e.local.limitedBy})`,
    ]),
  );
}

/**
 * The multi-instance samples, measured (429s, peaks against the budgets, time against the
 * floor, tasks, CPU, Store calls), and the 1,000-user model from each, with its bound.
 */
export function multiInstanceTables(items: NonNullable<Results['multiInstance']>): string {
  const measured = table(
    [
      'Variant',
      'Sample (measured)',
      'Units/user',
      '429s',
      'Peak user-min / budget',
      'Peak project-min / budget',
      'Simulated / floor',
      'Tasks/user',
      'CPU ms/msg',
      'Store reads / writes per 1k',
    ],
    items.map(({ sample: s }) => [
      strategy(s),
      `${s.instances} instances, ${s.users} x ${k(s.size)}: ${n(s.time.wallSeconds)} s wall (x${s.time.warp})`,
      n(s.gmail.unitsPerUser),
      n(s.gmail.gmail429s),
      `${n(s.gmail.peakUserUnitsPerMinute)} / ${n(s.gmail.userBudget)}`,
      `${n(s.gmail.peakProjectUnitsPerMinute)} / ${n(s.gmail.projectBudget)}`,
      `${minutes(s.time.simulatedMinutes)} / ${minutes(s.time.floorMinutes)} (${n(s.time.simulatedMinutes / s.time.floorMinutes, 2)}x)`,
      n(s.tasks.perUser, 1),
      n(s.cpu.servicePerMessageMs, 3),
      `${n(s.store.readsPer1000, 1)} / ${n(s.store.writesPer1000, 1)}`,
    ]),
  );
  const modelled = table(
    [
      'Variant',
      'Cloud: 1,000 users',
      'x project floor',
      'Project floor',
      'Dispatch',
      'Slots',
      'CPU',
      'Instances (max)',
      'Instances for the floor',
    ],
    items.map(({ sample: s, model: m }) => [
      strategy(s),
      `${minutes(m.minutes)} (${m.limitedBy})`,
      `${n(m.overFloor, 2)}x`,
      minutes(m.bounds.project),
      minutes(m.bounds.dispatch),
      minutes(m.bounds.slots),
      minutes(m.bounds.cpu),
      `${n(m.instances)} (${n(m.limits.maxInstances)})`,
      n(m.instancesForFloor),
    ]),
  );
  return `${measured}\n\n${modelled}`;
}

/** Every table, in the order the README shows them. */
export function renderReport(results: Results): string {
  const parts = ['### Full scan of one mailbox', fullScanTables(results.fullScans)];
  if (results.baseline) {
    parts.push(
      '### Against the naive baseline',
      baselineTable(results.baseline, results.fullScans),
    );
  }
  if (results.manyUsers.length > 0) {
    parts.push(
      '### 1,000 users x 1,500 messages (extrapolated from a sample)',
      manyUsersTable(results.manyUsers),
    );
  }
  if (results.multiInstance && results.multiInstance.length > 0) {
    parts.push(
      '### 1,000 users x 1,500 messages on several gcp instances (modelled from a sample)',
      multiInstanceTables(results.multiInstance),
    );
  }
  if (results.incremental.length > 0)
    parts.push('### Incremental (push)', incrementalTable(results.incremental));
  if (results.comingOfAge && results.comingOfAge.length > 0) {
    parts.push(
      '### Incremental at the default minimum age, and a quiet user',
      `${comingOfAgeTable(results.comingOfAge)}\n\n${comingOfAgeLines(results.comingOfAge)}`,
    );
  }
  if (results.firestoreScans && results.firestoreScans.length > 0) {
    parts.push(
      '### Firestore documents of a full scan (one gcp instance)',
      firestoreScanTable(results.firestoreScans),
    );
  }
  return parts.join('\n\n');
}
