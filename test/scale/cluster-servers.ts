import type { SimulatedGoogle } from '../../src/local/google/simulated-google.js';
import { type Listening, listen } from '../helpers/listen.js';

/**
 * The loopback servers in front of a cluster's parts: the simulated Google with the Gmail
 * latency of a real network, and Cloud Run's load balancer.
 */

/**
 * Serves `google`, holding every Gmail HTTP request (a batch is one) `ms + [0, jitterMs)` real
 * ms, and counting the requests and the delay in `roundTrips`.
 */
export function serveWithGmailLatency(
  google: SimulatedGoogle,
  latency: { readonly ms: number; readonly jitterMs: number } | undefined,
  roundTrips: { gmail: number; latencyMs: number },
): Promise<Listening> {
  const { ms = 0, jitterMs = 0 } = latency ?? {};
  return listen(async (request) => {
    const path = new URL(request.url).pathname;
    if (path.startsWith('/gmail/') || path.startsWith('/batch/')) {
      const delay = ms + Math.random() * jitterMs;
      roundTrips.gmail++;
      roundTrips.latencyMs += delay;
      if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
    }
    return google.app.fetch(request);
  });
}

/** Cloud Run's front: each request to the instance on the next of `ports`, in turn. */
export function serveRoundRobin(ports: readonly number[]): Promise<Listening> {
  let turn = 0;
  return listen(async (request) => {
    const url = new URL(request.url);
    const port = ports[turn++ % ports.length]!;
    const body = ['GET', 'HEAD'].includes(request.method) ? undefined : await request.arrayBuffer();
    return fetch(`http://127.0.0.1:${port}${url.pathname}${url.search}`, {
      method: request.method,
      headers: request.headers,
      body,
      redirect: 'manual',
    });
  });
}
