import type { gmail_v1 } from '@googleapis/gmail';
import { afterAll, beforeAll, beforeEach } from 'vitest';
import { type RunningGoogle, startSimulatedGoogle } from './simulated-google.js';

/** The one account of the googleapis tests of the simulated Gmail. */
export const OWNER = 'owner@example.com';
const SIZE = 3_000;

/** The status of a failed googleapis call (a GaxiosError). */
export async function failure(
  promise: Promise<unknown>,
): Promise<{ status: number; reason?: string; headers: Headers }> {
  try {
    await promise;
  } catch (error) {
    const e = error as {
      status?: number;
      response?: {
        status: number;
        headers: Headers;
        data?: { error?: { errors?: { reason: string }[] } };
      };
    };
    return {
      status: e.response?.status ?? e.status ?? -1,
      reason: e.response?.data?.error?.errors?.[0]?.reason,
      headers: e.response?.headers ?? new Headers(),
    };
  }
  throw new Error('the call succeeded');
}

/**
 * Starts the simulated Google with the owner's mailbox before the tests of the calling block
 * and closes it after them, clearing faults before each test; hands the server and the owner's
 * googleapis client to `use`.
 */
export function simulatedGmailForTests(
  use: (started: { sim: RunningGoogle; gmail: gmail_v1.Gmail }) => void,
): void {
  let sim: RunningGoogle;
  beforeAll(async () => {
    sim = await startSimulatedGoogle([{ email: OWNER, mailbox: { size: SIZE, seed: 7 } }], {
      notificationIntervalMs: 0,
    });
    use({ sim, gmail: sim.gmailFor(OWNER) });
  });
  afterAll(() => sim.close());
  beforeEach(() => sim.google.faults.clear());
}
