import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../src/local/sqlite/open-database.js';
import { SqliteStore } from '../src/local/sqlite/sqlite-store.js';
import { HttpClient } from './helpers/http-client.js';
import { freePort, ServiceProcess } from './helpers/service-process.js';
import {
  type RunningGoogle,
  startSimulatedGoogle,
  TEST_CLIENT,
} from './helpers/simulated-google.js';

const OWNER = 'restart@example.com';
const KILLS = 3;

interface ApiRun {
  status: string;
  processed: number;
  total: number;
  trashed: number;
}

describe('a full scan whose process is killed mid-run', () => {
  let google: RunningGoogle;
  let service: ServiceProcess;
  let dataDir: string;

  beforeAll(async () => {
    google = await startSimulatedGoogle([{ email: OWNER, mailbox: { size: 2_000, seed: 99 } }], {
      userUnitsPerMinute: 10_000_000,
    });
    // Every Gmail call takes a little while, so the run is still going when the kills come.
    google.google.faults.inject({ kind: 'latency', ms: 2 });
    dataDir = mkdtempSync(join(tmpdir(), 'ctu-restart-'));
    service = new ServiceProcess(await freePort(), {
      DATA_DIR: dataDir,
      GOOGLE_CLIENT_ID: TEST_CLIENT.clientId,
      GOOGLE_CLIENT_SECRET: TEST_CLIENT.clientSecret,
      GOOGLE_API_BASE_URL: google.server.url,
      GMAIL_USER_UNITS_PER_MINUTE: '1000000',
      // Message by message: the slower strategy leaves room for several kills in one run.
      SCAN_STRATEGY: 'by-message',
    });
    await service.start();
  }, 60_000);
  afterAll(async () => {
    await service?.stop();
    await google?.close();
  });

  it('finishes after several SIGKILLs with every message decided once and nothing counted twice', async () => {
    const client = new HttpClient(service.url);
    await client.follow('/auth/google');
    await client.post('/app/openai-key', { rulesOnly: '1' });
    const start = await client.post('/app/runs');
    const runId = start.headers.get('location')!.replace('/runs/', '');
    const read = async () => (await (await client.get(`/api/runs/${runId}`)).json()) as ApiRun;

    let killsDone = 0;
    let run = await read();
    const deadline = Date.now() + 150_000;
    while (run.status !== 'DONE' && Date.now() < deadline) {
      const due =
        killsDone < KILLS &&
        run.total > 0 &&
        run.processed >= ((killsDone + 1) * run.total) / (KILLS + 2);
      const early = killsDone === 0 && run.status === 'PROCESSING' && run.processed === 0;
      if (due || early) {
        await service.kill();
        killsDone++;
        await service.start();
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
      run = await read();
    }
    expect(killsDone).toBeGreaterThanOrEqual(KILLS);
    expect(run.status).toBe('DONE');

    await service.stop();
    const db = openDatabase(join(dataDir, 'clean-that-up.db'));
    const batches = await new SqliteStore(db).listBatches(runId);
    db.close();
    const decisions = batches.flatMap((b) => b.decisions);
    const ids = decisions.map((d) => d.id);
    const account = google.google.account(OWNER);
    const inScope = [...account.messagesAfter(undefined)].filter(
      (m) => !m.labelIds.includes('SPAM'),
    );

    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.length).toBe(inScope.length);
    expect(run.processed).toBe(inScope.length);
    expect(run.total).toBe(inScope.length);
    const trashedInGmail = inScope
      .filter((m) => m.labelIds.includes('TRASH'))
      .map((m) => m.id)
      .sort();
    const trashDecided = decisions
      .filter((d) => d.decision === 'trash')
      .map((d) => d.id)
      .sort();
    expect(trashedInGmail).toEqual(trashDecided);
    expect(run.trashed).toBe(trashDecided.length);
    await service.start();
  }, 180_000);
});
