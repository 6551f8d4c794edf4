/**
 * A clock that runs `factor` times faster than real time, and a sleep that matches it, so
 * quota-bound runs (minutes of Gmail budget) finish in seconds. Share it between the
 * simulated Google and the service so both see the same minutes.
 */
export function timeWarp(factor: number) {
  const start = Date.now();
  return {
    now: () => start + (Date.now() - start) * factor,
    clock: { now: () => start + (Date.now() - start) * factor },
    sleep: (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms / factor)),
  };
}
