import type { World } from './world-client.js';

export interface Measured {
  /** Real ms between start and stop. */
  readonly wallMs: number;
  /** CPU ms (user + system) of this process: the service and the benchmark's driver. */
  readonly serviceCpuMs: number;
  /** CPU ms of the world process: the simulated Google and the fake OpenAI. */
  readonly worldCpuMs: number;
  /** Peaks of this process, sampled every 50 ms, in MB. */
  readonly peakRssMb: number;
  readonly peakHeapMb: number;
  /** RSS when the measurement started, in MB. */
  readonly startRssMb: number;
}

const MB = 1024 * 1024;
const cpuMs = (usage: NodeJS.CpuUsage) => (usage.user + usage.system) / 1000;

/**
 * Measures a stretch of work: wall time, CPU of the service process and of the world process
 * separately (they are different processes), and the service's peak memory.
 */
export async function startMeter(world: World) {
  const startWall = performance.now();
  const startCpu = process.cpuUsage();
  const worldStart = (await world.call.usage()).cpu;
  const startRss = process.memoryUsage().rss;
  let peakRss = startRss;
  let peakHeap = process.memoryUsage().heapUsed;
  const sample = () => {
    const m = process.memoryUsage();
    peakRss = Math.max(peakRss, m.rss);
    peakHeap = Math.max(peakHeap, m.heapUsed);
  };
  const timer = setInterval(sample, 50);
  return {
    async stop(): Promise<Measured> {
      clearInterval(timer);
      sample();
      const wallMs = performance.now() - startWall;
      const serviceCpuMs = cpuMs(process.cpuUsage(startCpu));
      const worldEnd = (await world.call.usage()).cpu;
      return {
        wallMs,
        serviceCpuMs,
        worldCpuMs: cpuMs(worldEnd) - cpuMs(worldStart),
        peakRssMb: peakRss / MB,
        peakHeapMb: peakHeap / MB,
        startRssMb: startRss / MB,
      };
    },
  };
}
