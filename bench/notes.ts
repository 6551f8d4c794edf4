import type { Latency } from './setup.js';

/** How to read the tables; printed under them (and kept in the README). */
export function explain(latency: Latency): string {
  const range = `${latency.ms}-${latency.ms + latency.jitterMs} ms`;
  return [
    'How to read these figures:',
    `- Every scenario runs at Gmail's real budgets (6,000 units per user per minute, 1,200,000 per project), enforced by the simulated Google, with ${range} of latency on every Gmail HTTP request (a batch of 50 gets is one request).`,
    '- The warped clock (x60, x240) makes quota minutes pass in seconds; latency, LLM calls and CPU stay real.',
    '- Floor = Gmail units / 6,000 a minute: the least time any implementation needs at the per-user quota.',
    '- Deployment = max(floor, busy): busy is the real time the run was not waiting for the Gmail budget (latency, LLM, CPU), measured; floor + busy is the upper bound. This is the time at the real quota.',
    '- Bound by: quota when the floor exceeds the busy time, else latency (Gmail round trips and LLM calls made one after another).',
    '- Simulated = the run on the warped clock. Quota-bound runs: the floor plus 10-20 %, because a call holds its units in the window until it ends and a 55 ms call lasts 3.3 s at x60. Latency-bound runs: bench wall x warp, not a deployment figure.',
    '- CPU (service) = process.cpuUsage of the service process; the simulated Google and the fake OpenAI run in a separate process (CPU shown as "simulator"). Peak RSS / heap: the service process sampled every 50 ms (tsx and the test helpers alone take about 170 MB RSS).',
    "- Store reads / writes = calls of the Store port (a counting proxy around SqliteStore), not SQL statements or Firestore documents; the local queue's table (Cloud Tasks in the cloud) is not counted.",
    '- Firestore reads / writes / deletes (`--scans ...:firestore` only) = documents, as Firestore bills them, that the FirestoreStore of one MODE=gcp instance touched from the start of the scan until its watch was registered: every document read (also a missing one), at least one read per query, the reads of every attempt of a retried transaction, writes and deletes once per committed document; the quota ledger and Cloud Tasks are not counted.',
    '- LLM figures come from the fake OpenAI server (about 3.5 characters a token), priced for the configured model.',
    '- 1,000 users: a sample of users is scanned at once by one process (queue concurrency 8), then extrapolated by bench/extrapolate.ts: a run holds one task slot for s = max(units/6,000 min, latency + CPU per user); T = max(U x s / C, U x units / 1.2 M per min, U x tasks / dispatch rate), with C and the rate from terraform/variables.tf (Cloud Tasks) or 8 (local). "Sample time (model)" is the model applied to the sample, to compare with the measured sample.',
  ].join('\n');
}
