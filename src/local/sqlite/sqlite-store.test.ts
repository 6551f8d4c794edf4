import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DatabaseSync } from 'node:sqlite';
import { afterEach, describe, expect, it } from 'vitest';
import {
  aRun,
  aUser,
  describeStoreContract,
  planned,
} from '../../../test/contract/store-contract.js';
import { openDatabase } from './open-database.js';
import { applyMigrations, STORE_MIGRATIONS } from './sqlite-migrations.js';
import { SqliteStore } from './sqlite-store.js';

const tempDirs: string[] = [];
function aTempFile(): string {
  const dir = mkdtempSync(join(tmpdir(), 'sqlite-store-'));
  tempDirs.push(dir);
  return join(dir, 'nested', 'store.db');
}
afterEach(() => {
  for (const dir of tempDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function openStore(file: string) {
  const db = openDatabase(file);
  return { db, store: new SqliteStore(db), close: async () => db.close() };
}

describeStoreContract('SqliteStore in memory', async () => openStore(':memory:'));
describeStoreContract('SqliteStore on a file', async () => openStore(aTempFile()));

const migrationRows = (db: DatabaseSync) =>
  db.prepare('SELECT scope, version FROM schema_migrations ORDER BY scope, version').all();

describe('openDatabase', () => {
  it('creates the parent directory and opens the file in WAL mode', () => {
    const file = aTempFile();
    const db = openDatabase(file);
    expect(existsSync(file)).toBe(true);
    expect(db.prepare('PRAGMA journal_mode').get()).toEqual({ journal_mode: 'wal' });
    expect(db.prepare('PRAGMA foreign_keys').get()).toEqual({ foreign_keys: 1 });
    expect(db.prepare('PRAGMA synchronous').get()).toEqual({ synchronous: 1 });
    expect(db.prepare('PRAGMA busy_timeout').get()).toEqual({ timeout: 5000 });
    db.close();
  });
});

describe('SqliteStore schema', () => {
  it('applies each migration once, and nothing more when the file is opened again', () => {
    const file = aTempFile();
    const first = openStore(file);
    const applied = migrationRows(first.db);
    expect(applied).toEqual(STORE_MIGRATIONS.map((m) => ({ scope: 'store', version: m.version })));
    first.db.close();

    const again = openStore(file);
    expect(migrationRows(again.db)).toEqual(applied);
    expect(applyMigrations(again.db, 'store', STORE_MIGRATIONS)).toEqual([]);
    again.db.close();
  });

  it('keeps the migrations of other tables sharing the file apart', () => {
    const { db } = openStore(':memory:');
    const queue = [{ version: 1, name: 'tasks', sql: 'CREATE TABLE queue_things (id TEXT)' }];
    expect(applyMigrations(db, 'queue', queue)).toEqual([1]);
    expect(applyMigrations(db, 'store', STORE_MIGRATIONS)).toEqual([]);
    expect(migrationRows(db)).toContainEqual({ scope: 'queue', version: 1 });
    db.close();
  });

  it('rolls back a migration that fails, recording nothing', () => {
    const db = openDatabase(':memory:');
    const broken = [
      { version: 1, name: 'fine', sql: 'CREATE TABLE fine (id TEXT)' },
      { version: 2, name: 'broken', sql: 'CREATE TABLE oops (' },
    ];
    expect(() => applyMigrations(db, 'test', broken)).toThrow();
    expect(db.prepare("SELECT name FROM sqlite_master WHERE name = 'fine'").get()).toBeUndefined();
    db.close();
  });

  it('refuses migrations that are not numbered 1, 2, 3 in order', () => {
    const db = openDatabase(':memory:');
    const gap = [{ version: 2, name: 'two', sql: 'SELECT 1' }];
    expect(() => applyMigrations(db, 'test', gap)).toThrow(/numbered/);
    db.close();
  });

  it('refuses a database migrated further than this code knows', () => {
    const db = openDatabase(':memory:');
    applyMigrations(db, 'test', [
      { version: 1, name: 'one', sql: 'SELECT 1' },
      { version: 2, name: 'two', sql: 'SELECT 1' },
    ]);
    expect(() =>
      applyMigrations(db, 'test', [{ version: 1, name: 'one', sql: 'SELECT 1' }]),
    ).toThrow(/version 2/);
    db.close();
  });

  it('keeps users, runs and batches when the file is closed and opened again', async () => {
    const file = aTempFile();
    const first = openStore(file);
    const user = aUser({ cursor: { historyId: '12', updatedAt: 1 } });
    const run = aRun({ userId: user.id, status: 'PROCESSING' });
    await first.store.putUser(user);
    await first.store.createRun(run);
    await first.store.putBatches(run.id, [planned(0, ['a', 'b'])]);
    await first.close();

    const again = openStore(file);
    expect(await again.store.getUser(user.id)).toEqual(user);
    expect(await again.store.getRun(run.id)).toEqual(run);
    expect((await again.store.getBatch(run.id, 0))?.messageIds).toEqual(['a', 'b']);
    await again.close();
  });

  it('refuses to read back a record whose JSON does not match its schema', async () => {
    const { db, store, close } = openStore(':memory:');
    const run = aRun();
    await store.createRun(run);
    db.prepare('UPDATE runs SET counters = ? WHERE id = ?').run('{"listed":"many"}', run.id);
    await expect(store.getRun(run.id)).rejects.toThrow(/run does not match/);
    db.prepare('UPDATE runs SET counters = ? WHERE id = ?').run('not json', run.id);
    await expect(store.getRun(run.id)).rejects.toThrow(/run does not match/);
    await close();
  });

  it('leaves the database usable after a failed transaction', async () => {
    const { store, close } = openStore(':memory:');
    const run = aRun();
    await store.createRun(run);
    await expect(store.createRun(run)).rejects.toThrow();
    expect(await store.updateRun(run.id, ['QUEUED'], { status: 'PROCESSING' })).toMatchObject({
      status: 'PROCESSING',
    });
    await close();
  });
});
