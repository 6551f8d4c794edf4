import { DEFAULT_PROJECT_UNITS_PER_MINUTE as PROJECT_UNITS_PER_MINUTE } from '../src/domain/gmail-quota.js';
import { deploymentLimits, type Target } from './extrapolate.js';
import type { MultiInstanceResult } from './scenario-multi-instance.js';

/**
 * What `target` users need on Cloud Run, from a sample measured on several MODE=gcp instances
 * sharing one Gmail budget, under the deployment's limits (terraform/variables.tf). From the
 * sample: units u, tasks t per user, CPU per message c, Gmail latency per user. A user's work
 * holds a task slot for at least s = max(u / 6,000 min, latency + CPU per user). Then:
 *   project:  T >= U x u / 1,200,000 min       (the floor no deployment can beat)
 *   dispatch: T >= U x t / rate                 (Cloud Tasks dispatches a second)
 *   slots:    T >= U x s / C                    (C tasks at once)
 *   CPU:      T >= U x m x c / (instances x vCPUs)
 * T is the largest; the bound is the one that sets it.
 */
export function modelFromCluster(sample: MultiInstanceResult, target: Target) {
  const scale = target.messagesPerUser / sample.size;
  const unitsPerUser = sample.gmail.unitsPerUser * scale;
  const tasksPerUser = sample.tasks.perUser * scale;
  const messages = target.users * target.messagesPerUser;
  const cpuPerMessageMs = sample.cpu.servicePerMessageMs;
  const busyMinutes =
    (sample.gmail.latencyMsPerUser * scale + cpuPerMessageMs * target.messagesPerUser) / 60_000;
  const slotMinutes = Math.max(unitsPerUser / sample.gmail.userBudget, busyMinutes);
  const cpuMinutes = (messages * cpuPerMessageMs) / 60_000;
  const limits = deploymentLimits();
  const bounds = {
    project: (target.users * unitsPerUser) / PROJECT_UNITS_PER_MINUTE,
    dispatch: (target.users * tasksPerUser) / limits.dispatchesPerSecond / 60,
    slots: (target.users * slotMinutes) / limits.concurrency,
    cpu: cpuMinutes / (limits.maxInstances * limits.vcpusPerInstance),
  };
  const minutes = Math.max(...Object.values(bounds));
  return {
    target,
    limits,
    perUser: { units: unitsPerUser, tasks: tasksPerUser, busyMinutes, slotMinutes },
    bounds,
    minutes,
    limitedBy: Object.entries(bounds).sort((a, b) => b[1] - a[1])[0]![0],
    /** How far from the project-quota floor the modelled time is. */
    overFloor: minutes / bounds.project,
    /** Instances that keep the CPU at that pace and hold every task the queue runs at once. */
    instances: Math.max(
      Math.ceil(cpuMinutes / minutes / limits.vcpusPerInstance),
      Math.ceil(limits.concurrency / limits.requestsPerInstance),
    ),
    /** Instances whose vCPUs keep the CPU bound within the project floor. */
    instancesForFloor: Math.ceil(cpuMinutes / bounds.project / limits.vcpusPerInstance),
    /** The sample against its own floor, measured: what the shared ledger lets the instances reach. */
    sampleOverFloor: sample.time.simulatedMinutes / sample.time.floorMinutes,
    formula:
      'T = max(U*u/1.2M, U*t/rate, U*s/C, U*m*c/(instances*vCPUs)); s = max(u/6000, latency + CPU per user)',
  };
}

export type ClusterModel = ReturnType<typeof modelFromCluster>;
