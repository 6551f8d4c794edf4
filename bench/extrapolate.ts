import { readFileSync } from 'node:fs';
import { DEFAULT_PROJECT_UNITS_PER_MINUTE as PROJECT_UNITS_PER_MINUTE } from '../src/domain/gmail-quota.js';
import type { FullScanResult } from './scenario-full-scan.js';
import type { ManyUsersResult } from './scenario-many-users.js';

/** The deployment's limits, read from terraform/variables.tf (defaults if it cannot be read). */
export function deploymentLimits() {
  let text = '';
  try {
    text = readFileSync(new URL('../terraform/variables.tf', import.meta.url), 'utf8');
  } catch {}
  const number = (name: string, fallback: number) => {
    const block = new RegExp(`variable "${name}"[^}]*?default\\s*=\\s*"?([\\d.]+)`, 's').exec(text);
    return block ? Number(block[1]) : fallback;
  };
  return {
    /** Cloud Tasks: tasks running at once, and dispatches a second, for the whole queue. */
    concurrency: number('tasks_max_concurrent_dispatches', 100),
    dispatchesPerSecond: number('tasks_max_dispatches_per_second', 2),
    maxInstances: number('max_instances', 10),
    vcpusPerInstance: number('cpu', 1),
    requestsPerInstance: number('concurrency', 80),
  };
}

export interface Target {
  readonly users: number;
  readonly messagesPerUser: number;
}

/**
 * What `target` users need, from a measured sample of users with mailboxes of the same size.
 * One user's run holds one task slot while it lasts (its batches go one after another), and
 * lasts s = max(u / 6,000 min, busy), busy = Gmail latency on its calls + service CPU. Then:
 *   slots:    T >= U x s / C                     (C tasks at once)
 *   project:  T >= U x u / 1,200,000 min
 *   dispatch: T >= U x tasks per user / rate     (Cloud Tasks only)
 *   CPU:      U x m x cpu per message / T = vCPUs busy for the whole time
 */
export function extrapolate(sample: ManyUsersResult, target: Target) {
  const scale = target.messagesPerUser / sample.size;
  const unitsPerUser = sample.gmail.unitsPerUser * scale;
  const tasksPerUser = sample.tasks.perUser * scale;
  const messages = target.users * target.messagesPerUser;
  const busyMinutes =
    (sample.gmail.latencyMsPerUser * scale +
      sample.cpu.servicePerMessageMs * target.messagesPerUser) /
    60_000;
  const userMinutes = Math.max(unitsPerUser / sample.userUnitsPerMinute, busyMinutes);
  const cpuMinutes = (messages * sample.cpu.servicePerMessageMs) / 60_000;
  const projectMinutes = (target.users * unitsPerUser) / PROJECT_UNITS_PER_MINUTE;
  const limits = deploymentLimits();

  const cloudBounds = {
    slots: (target.users * userMinutes) / limits.concurrency,
    project: projectMinutes,
    dispatch: (target.users * tasksPerUser) / limits.dispatchesPerSecond / 60,
  };
  const cloudMinutes = Math.max(...Object.values(cloudBounds));
  const localBounds = {
    slots: (target.users * userMinutes) / sample.queueConcurrency,
    project: projectMinutes,
    cpu: cpuMinutes,
  };
  const localMinutes = Math.max(...Object.values(localBounds));
  // The sample itself, by the same model: a check of the model against what was measured.
  const predictedSample = Math.max(
    userMinutes,
    (sample.users * userMinutes) / sample.queueConcurrency,
    (sample.users * unitsPerUser) / PROJECT_UNITS_PER_MINUTE,
  );
  return {
    target,
    messages,
    perUser: { units: unitsPerUser, tasks: tasksPerUser, busyMinutes, runMinutes: userMinutes },
    cloud: {
      limits,
      bounds: cloudBounds,
      minutes: cloudMinutes,
      limitedBy: argMax(cloudBounds),
      /** vCPUs kept busy at that pace, and instances: enough vCPUs and enough request slots. */
      vcpus: cpuMinutes / cloudMinutes,
      instances: Math.max(
        Math.ceil(cpuMinutes / cloudMinutes / limits.vcpusPerInstance),
        Math.ceil(limits.concurrency / limits.requestsPerInstance),
      ),
    },
    local: { bounds: localBounds, minutes: localMinutes, limitedBy: argMax(localBounds) },
    cpuMinutes,
    check: { predictedSampleMinutes: predictedSample },
    formula:
      'T = max(U*s/C, U*u/1.2M, U*tasks/rate [cloud], U*m*cpu [local, 1 core]); ' +
      's = max(u/6000, latency per user + CPU per user)',
  };
}

export type Extrapolation = ReturnType<typeof extrapolate>;

function argMax(bounds: Record<string, number>): string {
  return Object.entries(bounds).sort((a, b) => b[1] - a[1])[0]![0];
}

/** A full-scan row for a larger mailbox, scaled from a measured one (labelled as such). */
export type ScanRow = FullScanResult & { readonly extrapolatedFrom?: number };

/**
 * Scales a measured scan linearly to `size` messages: units, gets, LLM calls, store calls and
 * busy time per message stay what they were. For a scan by sender this is an upper bound (a
 * bigger mailbox has more mail per sender, so fewer units per message); memory is not scaled.
 */
export function scaleScan(measured: FullScanResult, size: number): ScanRow {
  const f = size / measured.size;
  const floorMinutes = measured.time.floorMinutes * f;
  const busyMinutes = measured.time.busyMinutes * f;
  return {
    ...measured,
    size,
    extrapolatedFrom: measured.size,
    messages: Math.round(measured.messages * f),
    trashed: Math.round(measured.trashed * f),
    gmail: {
      ...measured.gmail,
      units: measured.gmail.units * f,
      calls: measured.gmail.calls * f,
      byMethod: Object.fromEntries(
        Object.entries(measured.gmail.byMethod).map(([m, c]) => [
          m,
          { calls: c.calls * f, units: c.units * f },
        ]),
      ),
      roundTrips: {
        gmail: measured.gmail.roundTrips.gmail * f,
        batch: measured.gmail.roundTrips.batch * f,
        latencyMs: measured.gmail.roundTrips.latencyMs * f,
      },
    },
    store: {
      ...measured.store,
      reads: measured.store.reads * f,
      writes: measured.store.writes * f,
    },
    tasks: Object.fromEntries(
      Object.entries(measured.tasks).map(([path, t]) => [
        path,
        { count: t.count * f, ms: t.ms * f },
      ]),
    ),
    cpu: {
      ...measured.cpu,
      serviceMs: measured.cpu.serviceMs * f,
      worldMs: measured.cpu.worldMs * f,
    },
    time: {
      ...measured.time,
      wallSeconds: Number.NaN,
      simulatedMinutes: Number.NaN,
      floorMinutes,
      busyMinutes,
      deploymentMinutes: Math.max(floorMinutes, busyMinutes),
      deploymentMaxMinutes: floorMinutes + busyMinutes,
    },
    llm: {
      ...measured.llm,
      calls: measured.llm.calls * f,
      inputTokens: measured.llm.inputTokens * f,
      outputTokens: measured.llm.outputTokens * f,
      costUsd: measured.llm.costUsd * f,
    },
  };
}
