import { describe, expect, it } from 'vitest';
import { deploymentLimits } from '../../bench/extrapolate.js';
import { modelFromCluster } from '../../bench/extrapolate-cluster.js';
import type { MultiInstanceResult } from '../../bench/scenario-multi-instance.js';

const TARGET = { users: 1_000, messagesPerUser: 1_500 };

/** A measured sample of 16 users of `size` messages, with what the model reads set. */
function sample(size: number, per: { units: number; tasks: number; cpuMs: number }) {
  const users = 16;
  const messages = users * size;
  return {
    scenario: 'multi-instance',
    instances: 3,
    strategy: 'by-sender',
    classifier: 'rules',
    users,
    size,
    done: users,
    messages,
    gmail: {
      units: per.units * users,
      unitsPerUser: per.units,
      unitsPerMessage: per.units / size,
      gmail429s: 0,
      peakUserUnitsPerMinute: 1_000,
      userBudget: 6_000,
      peakProjectUnitsPerMinute: 19_000,
      projectBudget: 19_200,
      latencyMsPerUser: 2_000,
    },
    tasks: { perUser: per.tasks, failedAttempts: 0, maxConcurrent: 16, byPath: {} },
    time: { warp: 2, wallSeconds: 60, simulatedMinutes: 2.2, floorMinutes: 2 },
    cpu: { serviceMs: per.cpuMs * messages, servicePerMessageMs: per.cpuMs },
    llm: { callsPer1000: 0 },
    store: { reads: 0, writes: 0, readsPer1000: 0, writesPer1000: 0 },
  } satisfies MultiInstanceResult;
}

describe('the 1,000-user model from a multi-instance sample', () => {
  it('is bound by the project quota when every user reads all its mail', () => {
    const model = modelFromCluster(sample(1_500, { units: 30_000, tasks: 5, cpuMs: 0.5 }), TARGET);
    expect(model.bounds.project).toBeCloseTo(25);
    expect(model.limitedBy).toBe('project');
    expect(model.overFloor).toBe(1);
    expect(model.sampleOverFloor).toBeCloseTo(1.1);
  });

  it('names the dispatch rate when tasks per user outrun it', () => {
    const limits = deploymentLimits();
    const tasks = limits.dispatchesPerSecond * 60; // a minute of dispatch per user
    const model = modelFromCluster(sample(1_500, { units: 2_400, tasks, cpuMs: 0.5 }), TARGET);
    expect(model.bounds.dispatch).toBeCloseTo(TARGET.users);
    expect(model.limitedBy).toBe('dispatch');
    expect(model.overFloor).toBeCloseTo(TARGET.users / 2);
  });

  it('scales a smaller mailbox sample to the target size per user', () => {
    const model = modelFromCluster(sample(750, { units: 15_000, tasks: 3, cpuMs: 0.5 }), TARGET);
    expect(model.perUser.units).toBe(30_000);
    expect(model.perUser.tasks).toBe(6);
    expect(model.bounds.project).toBeCloseTo(25);
  });

  it('names the CPU when a message costs more than the instances can give', () => {
    const limits = deploymentLimits();
    const vcpus = limits.maxInstances * limits.vcpusPerInstance;
    // An hour of every instance's CPU for the target's messages.
    const cpuMs = (vcpus * 60 * 60_000) / (TARGET.users * TARGET.messagesPerUser);
    const model = modelFromCluster(sample(1_500, { units: 2_400, tasks: 5, cpuMs }), TARGET);
    expect(model.bounds.cpu).toBeCloseTo(60);
    expect(model.limitedBy).toBe('cpu');
  });
});
