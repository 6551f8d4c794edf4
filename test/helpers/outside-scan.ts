import { expect } from 'vitest';
import type { GeneratedMailbox } from '../../src/local/google/mailbox-generator.js';
import type { SimMessage } from '../../src/local/google/sim-types.js';
import { type FakeOpenAi, startFakeOpenAi, VALID_KEY } from './fake-openai.js';
import { type StartedService, signIn, startLocalService } from './local-service.js';
import { type RunJson, runIdOf, snapshot, waitForRun } from './outside-checks.js';
import { type RunningGoogle, startSimulatedGoogle } from './simulated-google.js';

export type Strategy = 'by-message' | 'by-sender';
/** The rules, or an LLM that answers "trash" for everything it is asked. */
export type Judge = 'rules' | 'llm-trash-all';

export interface ScanOptions {
  readonly owner: string;
  readonly mailbox: GeneratedMailbox;
  readonly strategy: Strategy;
  readonly judge: Judge;
  /** How far the service's clock runs behind Google's, in ms (0 by default). */
  readonly clockBehindMs?: number;
  /** Undo the run once it is DONE, and report the mailbox after (true by default). */
  readonly undo?: boolean;
  /** `review`: the run stops at REVIEW and is applied keeping no sender (`auto` by default). */
  readonly mode?: 'auto' | 'review';
  /** Shapes the stand-in Google before the scan (faults, say). */
  readonly prepare?: (google: RunningGoogle) => void;
}

export interface ScanOutcome {
  /** The mailbox as it was before the scan. */
  readonly before: readonly SimMessage[];
  readonly run: RunJson;
  /** Ids that went to Trash during the run. */
  readonly trashed: ReadonlySet<string>;
  /** Each message's labels after the undo (after the run, without an undo). */
  readonly after: ReadonlyMap<string, readonly string[]>;
}

/**
 * One full scan driven through the contract only (sign in, key or rules, POST /app/runs,
 * GET /api/runs/{id}, POST /app/runs/{id}/undo), as a tester outside the project drives it.
 */
export async function scanThroughContract(options: ScanOptions): Promise<ScanOutcome> {
  const google = await startSimulatedGoogle([{ email: options.owner, mailbox: options.mailbox }], {
    userUnitsPerMinute: 100_000_000,
  });
  options.prepare?.(google);
  let fake: FakeOpenAi | undefined;
  if (options.judge === 'llm-trash-all') {
    fake = await startFakeOpenAi();
    fake.trashAll = true;
  }
  const behind = options.clockBehindMs ?? 0;
  const started = await startLocalService(google, {
    env: {
      GMAIL_USER_UNITS_PER_MINUTE: '1000000',
      SCAN_STRATEGY: options.strategy,
      ...(fake ? { OPENAI_BASE_URL: fake.baseUrl } : {}),
    },
    ...(behind ? { clock: { now: () => Date.now() - behind } } : {}),
  });
  try {
    return await scan(google, started, options, fake !== undefined);
  } finally {
    await started.close();
    await fake?.close();
    await google.close();
  }
}

async function scan(
  google: RunningGoogle,
  started: StartedService,
  options: ScanOptions,
  llm: boolean,
): Promise<ScanOutcome> {
  const account = google.google.account(options.owner);
  const before = snapshot(account.messagesAfter(undefined));
  const { client } = started;
  await signIn(client);
  const key = await client.post(
    '/app/openai-key',
    llm ? { apiKey: VALID_KEY } : { rulesOnly: '1' },
  );
  expect(key.status).toBe(303);
  const mode = options.mode ?? 'auto';
  const runId = runIdOf(await client.post('/app/runs', { mode }));
  let run = await waitForRun(client, runId);
  if (mode === 'review') {
    expect(run.status).toBe('REVIEW');
    expect((await client.post(`/app/runs/${runId}/apply`)).status).toBe(303);
    run = await waitForRun(client, runId, ['DONE', 'FAILED', 'CANCELLED']);
  }
  const wasTrash = new Set(before.filter((m) => m.labelIds.includes('TRASH')).map((m) => m.id));
  const trashed = new Set(
    [...account.messagesAfter(undefined)]
      .filter((m) => m.labelIds.includes('TRASH') && !wasTrash.has(m.id))
      .map((m) => m.id),
  );
  if (options.undo !== false && run.trashed > 0) {
    expect((await client.post(`/app/runs/${runId}/undo`)).status).toBe(303);
    await waitForRun(client, runId, ['DONE'], (r) => r.undo === 'done');
  }
  const after = new Map(
    [...account.messagesAfter(undefined)].map((m) => [m.id, [...m.labelIds]] as const),
  );
  return { before, run, trashed, after };
}
