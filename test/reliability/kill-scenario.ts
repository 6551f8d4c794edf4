import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Random } from '../../src/local/google/random.js';
import { openDatabase } from '../../src/local/sqlite/open-database.js';
import { SqliteStore } from '../../src/local/sqlite/sqlite-store.js';
import { type FakeOpenAi, startFakeOpenAi, VALID_KEY } from '../helpers/fake-openai.js';
import { HttpClient } from '../helpers/http-client.js';
import { disposable, envelope, PUSH_TOKEN } from '../helpers/ongoing-cleanup.js';
import { freePort, ServiceProcess } from '../helpers/service-process.js';
import {
  type RunningGoogle,
  startSimulatedGoogle,
  TEST_CLIENT,
} from '../helpers/simulated-google.js';
import { recordFigures } from './figures.js';
import { neverBackward, type Strategy } from './harness.js';
import { auditMailbox, auditRun, inTrash, snapshot } from './mailbox-truth.js';

interface ApiRun {
  kind: string;
  status: string;
  processed: number;
  total: number;
}

export interface KillConfig {
  readonly strategy: Strategy;
  readonly llm: boolean;
  readonly seed: number;
  readonly size: number;
  /** SIGKILLs during the scan (default 4). */
  readonly kills?: number;
  /** Also kill the process between a notification and its sync (about 7 s more). */
  readonly killSync?: boolean;
}

/**
 * The service as a real process, killed with SIGKILL at random moments of a full scan (and once
 * between a notification and its sync), then started again on the same data directory. The
 * run must finish with the same books as an undisturbed one: every message decided once,
 * counters equal to the decisions, Trash equal to the trash decisions, nothing protected in
 * it, the cursor only moving forward; an LLM request is repeated only for a batch whose
 * decisions had not been saved when the process died.
 */
export function describeKills(configs: readonly KillConfig[]): void {
  describe.each(configs)(
    'a $strategy scan (LLM: $llm) whose process is killed at random points',
    ({ strategy, llm, seed, size, kills: maxKills = 4, killSync = false }) => {
      const owner = `killed-${strategy}@example.com`;
      let google: RunningGoogle;
      let fake: FakeOpenAi | undefined;
      let service: ServiceProcess;
      let dataDir: string;
      let cursorPoll: ReturnType<typeof setInterval> | undefined;
      const cursors: string[] = [];

      beforeAll(async () => {
        google = await startSimulatedGoogle([{ email: owner, mailbox: { size, seed } }], {
          userUnitsPerMinute: 10_000_000,
          seed,
        });
        // Every Gmail call takes a little while, so the kills land in the middle of things.
        google.google.faults.inject({ kind: 'latency', ms: 10, jitterMs: 10 });
        fake = llm ? await startFakeOpenAi() : undefined;
        dataDir = mkdtempSync(join(tmpdir(), 'ctu-kill-'));
        service = new ServiceProcess(await freePort(), {
          DATA_DIR: dataDir,
          GOOGLE_CLIENT_ID: TEST_CLIENT.clientId,
          GOOGLE_CLIENT_SECRET: TEST_CLIENT.clientSecret,
          GOOGLE_API_BASE_URL: google.server.url,
          GMAIL_USER_UNITS_PER_MINUTE: '1000000',
          SCAN_STRATEGY: strategy,
          PUSH_VERIFICATION_TOKEN: PUSH_TOKEN,
          ...(fake ? { OPENAI_BASE_URL: fake.baseUrl } : {}),
        });
        await service.start();
      }, 60_000);
      afterAll(async () => {
        clearInterval(cursorPoll);
        await service?.stop();
        await fake?.close();
        await google?.close();
      });

      /** Reads the cursor straight from the database file while the service writes it. */
      function watchCursor(userId: string) {
        const db = new DatabaseSync(join(dataDir, 'clean-that-up.db'), { readOnly: true });
        const read = db.prepare('SELECT cursor FROM users WHERE id = ?');
        cursorPoll = setInterval(() => {
          try {
            const row = read.get(userId) as { cursor: string | null } | undefined;
            const cursor = row?.cursor ? (JSON.parse(row.cursor) as { historyId: string }) : null;
            if (cursor && cursor.historyId !== cursors.at(-1)) cursors.push(cursor.historyId);
          } catch {
            // The file is being written by a process that may just have died: try again.
          }
        }, 20);
      }

      it('finishes with every message decided once after several SIGKILLs', async () => {
        const rng = new Random(seed);
        const account = google.google.account(owner);
        const before = snapshot(account);
        const client = new HttpClient(service.url);
        await client.follow('/auth/google');
        await client.post('/app/openai-key', fake ? { apiKey: VALID_KEY } : { rulesOnly: '1' });
        watchCursor(account.sub);
        const start = await client.post('/app/runs');
        const runId = start.headers.get('location')!.replace('/runs/', '');
        const read = async () => (await (await client.get(`/api/runs/${runId}`)).json()) as ApiRun;

        const kills: string[] = [];
        let run = await read();
        let lastKill = '';
        const deadline = Date.now() + 120_000;
        while (run.status !== 'DONE' && run.status !== 'FAILED' && Date.now() < deadline) {
          const progress = `${run.status} ${run.processed}/${run.total}`;
          // Each kill waits for some progress since the last one (a batch done, planning
          // over), then strikes at a random moment of the work that follows.
          if (kills.length < maxKills && progress !== lastKill) {
            await new Promise((resolve) => setTimeout(resolve, rng.int(0, 500)));
            const at = await read();
            if (at.status === 'DONE') {
              run = at;
              break;
            }
            await service.kill();
            lastKill = progress;
            kills.push(`${at.status} ${at.processed}/${at.total}`);
            await service.start();
          } else {
            await new Promise((resolve) => setTimeout(resolve, 30));
          }
          run = await read();
        }
        expect(run.status).toBe('DONE');
        expect(kills.length).toBeGreaterThanOrEqual(Math.min(3, maxKills));
        // The watch task, after the last batch, moves the cursor to where the scan started.
        while (cursors.length === 0) await new Promise((resolve) => setTimeout(resolve, 50));

        // A notification, then a kill before its sync (which waits for the notification window).
        const junk = disposable(rng, owner);
        if (killSync) {
          google.google.deliver(owner, junk);
          const pushed = await fetch(`${service.url}/push/gmail?token=${PUSH_TOKEN}`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify(envelope(owner, account.historyId)),
          });
          expect(pushed.status).toBe(204);
          await service.kill();
          kills.push('sync queued');
          await service.start();
          const synced = async () => {
            const runs = (await (await client.get('/api/runs')).json()) as ApiRun[];
            return runs.some(
              (r) => r.kind === 'incremental' && r.status === 'DONE' && r.processed === 1,
            );
          };
          const syncDeadline = Date.now() + 30_000;
          while (!(await synced()) && Date.now() < syncDeadline) {
            await new Promise((resolve) => setTimeout(resolve, 100));
          }
          expect(await synced()).toBe(true);
        }

        clearInterval(cursorPoll);
        await service.stop();
        const db = openDatabase(join(dataDir, 'clean-that-up.db'));
        const store = new SqliteStore(db);
        const final = (await store.getRun(runId))!;
        const batches = await store.listBatches(runId);
        db.close();
        await service.start();

        expect(auditRun(final, batches)).toMatchObject({
          duplicates: [],
          badBatches: [],
          unfinishedBatches: [],
          counterErrors: [],
          llmErrors: [],
        });
        // The junk message arrived after the scan: the sync, not the scan, trashed it.
        const after = new Map(snapshot(account));
        after.delete(junk.id);
        const audit = auditMailbox(before, after, batches, { complete: true });
        expect(audit).toMatchObject({
          lost: [],
          strangers: [],
          protectedTrashed: [],
          trashedUndecided: [],
          decidedNotTrashed: [],
        });
        expect(neverBackward(cursors)).toBe(true);
        expect(cursors[0]).toBe(final.startHistoryId);
        // A batch the LLM judged is asked again only if the process died before it was saved.
        const repeated = fake ? fake.stats.calls - final.llm.calls : 0;
        const callsPerBatch = Math.max(1, ...batches.map((b) => b.llm.calls));
        expect(repeated).toBeLessThanOrEqual(kills.length * callsPerBatch);
        recordFigures(`SIGKILL ${strategy} ${llm ? 'llm' : 'rules'}`, {
          messages: before.size,
          kills: kills.length,
          killedAt: kills,
          decided: batches.flatMap((b) => b.decisions).length,
          trashed: inTrash(after).size - inTrash(before).size,
          llmCalls: final.llm.calls,
          llmCallsRepeatedByKills: repeated,
          lost: audit.lost.length,
          protectedTrashed: audit.protectedTrashed.length,
        });
      }, 150_000);
    },
  );
}
