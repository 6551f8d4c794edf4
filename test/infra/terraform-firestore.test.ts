import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { QUOTA_PROJECT, QUOTA_USERS } from '../../src/adapters/firestore/firestore-quota-ledger.js';
import { type Block, blocks, nested, Terraform } from './terraform.js';

/**
 * The Firestore indexes in Terraform against the queries src/adapters/firestore makes. The
 * emulator needs no index, so only this test notices a query that production would refuse
 * with FAILED_PRECONDITION ("The query requires an index").
 */

const ADAPTER = join(import.meta.dirname, '..', '..', 'src', 'adapters', 'firestore');

type Order = 'ASCENDING' | 'DESCENDING';

interface Query {
  readonly collection: string;
  /** Equality filters, then orderBy fields, then __name__: the index the query needs. */
  readonly index: readonly (readonly [field: string, order: Order])[];
  readonly fields: ReadonlySet<string>;
  readonly source: string;
}

const adapterSources = () =>
  readdirSync(ADAPTER)
    .filter((file) => file.endsWith('.ts') && !file.endsWith('.test.ts'))
    .map((file) => readFileSync(join(ADAPTER, file), 'utf8'));

/** Collection helper name -> collection id, from firestore-paths.ts (`runs` -> 'runs'). */
function collectionHelpers(): Map<string, string> {
  const paths = readFileSync(join(ADAPTER, 'firestore-paths.ts'), 'utf8');
  return new Map(
    [...paths.matchAll(/export const (\w+) = [^;]*?\.collection\('([^']+)'\)/g)].map((m) => [
      m[1]!,
      m[2]!,
    ]),
  );
}

/** Every query chain (`helper(...).where(...).orderBy(...)`) in the adapter's sources. */
function adapterQueries(): Query[] {
  const helpers = collectionHelpers();
  const queries: Query[] = [];
  for (const source of adapterSources()) {
    for (const statement of source.split(';')) {
      if (!/\.(where|orderBy)\(/.test(statement)) continue;
      const helper = [...statement.matchAll(/\b(\w+)\(/g)]
        .map((m) => m[1]!)
        .find((name) => helpers.has(name));
      if (!helper) throw new Error(`a query on an unknown collection:\n${statement}`);
      const equalities: string[] = [];
      const orders: [string, Order][] = [];
      const fields = new Set<string>();
      const clause =
        /\.(where|orderBy)\(\s*(?:'([^']+)'|FieldPath\.documentId\(\))\s*(?:,\s*'([^']+)')?/g;
      for (const [, kind, name, arg] of statement.matchAll(clause)) {
        const field = name ?? '__name__';
        if (field !== '__name__') fields.add(field);
        if (kind === 'where' && arg === '==') equalities.push(field);
        if (kind === 'orderBy') orders.push([field, arg === 'desc' ? 'DESCENDING' : 'ASCENDING']);
      }
      if (orders.at(-1)?.[0] !== '__name__') {
        orders.push(['__name__', orders.at(-1)?.[1] ?? 'ASCENDING']);
      }
      const index = [
        ...equalities.map((field) => [field, 'ASCENDING'] as const),
        ...orders.filter(([field]) => !equalities.includes(field)),
      ];
      queries.push({ collection: helpers.get(helper)!, index, fields, source: statement.trim() });
    }
  }
  return queries;
}

/**
 * Whether Firestore's automatic single-field indexes serve the query: at most one field, and
 * the document-id order going the same way as that field's order.
 */
function servedBySingleField(query: Query): boolean {
  if (query.fields.size === 0) return true;
  if (query.fields.size > 1) return false;
  const [field, order] = query.index[0]!;
  // One filter that is not an equality (array-contains-any, a range) and no order: the field's
  // own single-field index serves it, in document-id order.
  if (field === '__name__') return query.index.length === 1 && order === 'ASCENDING';
  const name = query.index.find(([f]) => f === '__name__');
  return field !== '__name__' && name?.[1] === order;
}

describe('Firestore indexes in Terraform', () => {
  let tf: Terraform;
  let indexes: { collection: string; fields: [string, string][] }[];
  let queries: Query[];

  beforeAll(async () => {
    tf = await Terraform.load();
    indexes = Object.values(tf.resources('google_firestore_index')).map((index: Block) => ({
      collection: String(index.collection),
      fields: blocks(index, 'fields').map((f) => [String(f.field_path), String(f.order)]),
    }));
    queries = adapterQueries();
  });

  it('finds the queries of the Firestore adapter', () => {
    // A parser that found nothing would pass everything below.
    expect(queries.length).toBeGreaterThanOrEqual(5);
    expect(queries.map((query) => query.collection)).toEqual(
      expect.arrayContaining(['users', 'runs', 'batches']),
    );
  });

  it('has a composite index for every query that needs one', () => {
    const missing = queries
      .filter((query) => !servedBySingleField(query))
      .filter(
        (query) =>
          !indexes.some(
            (index) =>
              index.collection === query.collection &&
              JSON.stringify(index.fields) === JSON.stringify(query.index),
          ),
      )
      .map((query) => `${query.collection}: ${JSON.stringify(query.index)}\n${query.source}`);
    expect(missing).toEqual([]);
  });

  it('has no composite index that no query uses', () => {
    const used = queries.map((query) => `${query.collection} ${JSON.stringify(query.index)}`);
    const unused = indexes.filter(
      (index) => !used.includes(`${index.collection} ${JSON.stringify(index.fields)}`),
    );
    expect(unused).toEqual([]);
  });

  it('exempts from indexing only fields the code writes and no query reads', () => {
    const helpers = new Set(collectionHelpers().values());
    const documents = readFileSync(join(ADAPTER, 'firestore-documents.ts'), 'utf8');
    const exempt = Object.values(
      tf.resource('google_firestore_field', 'unindexed').for_each as Record<string, Block>,
    );
    expect(exempt.length).toBeGreaterThan(0);
    for (const { collection, field } of exempt as { collection: string; field: string }[]) {
      expect(helpers.has(collection), collection).toBe(true);
      expect(documents, `${collection}.${field}`).toMatch(new RegExp(`\\b${field}: z\\.`));
      const readers = queries.filter((q) => q.collection === collection && q.fields.has(field));
      expect(readers, `${collection}.${field}`).toEqual([]);
    }
    expect(nested(tf.resource('google_firestore_field', 'unindexed'), 'index_config')).toEqual({});
  });

  it('expires the quota ledger documents by the field the ledger writes', () => {
    const ttl = tf.resource('google_firestore_field', 'quota_ledger_ttl');
    expect(Object.values(ttl.for_each as Record<string, string>).sort()).toEqual(
      [QUOTA_PROJECT, QUOTA_USERS].sort(),
    );
    expect(ttl.field).toBe('expireAt');
    expect(nested(ttl, 'ttl_config')).toEqual({});
    const ledger = readFileSync(join(ADAPTER, 'quota-ledger-writes.ts'), 'utf8');
    expect(ledger).toMatch(/expireAt: Timestamp\.fromMillis/);
  });

  it('creates a native-mode database under the name the service is given', () => {
    const database = tf.resource('google_firestore_database', 'main');
    expect(database.type).toBe('FIRESTORE_NATIVE');
    const service = tf.resource('google_cloud_run_v2_service', 'app');
    const env = blocks(nested(service, 'template', 'containers'), 'env');
    const configured = env.find((entry) => entry.name === 'FIRESTORE_DATABASE');
    expect(tf.resolve(configured?.value)).toBe(tf.resolve(database.name));
  });
});
