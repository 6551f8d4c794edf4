import type { Firestore } from '@google-cloud/firestore';
import { FINAL_STATUSES, RUN_STATUSES, type Run } from '../../domain/model.js';
import type { StatsSource, UserFigures } from '../../domain/operator-stats.js';
import type { Store } from '../../domain/ports.js';
import { runs, users } from './firestore-paths.js';

/**
 * The operator's figures from Firestore: users by count aggregations (one read per thousand
 * documents), runs by single-field queries (no composite index), each run through the store so
 * its sharded counters are summed.
 */
export class FirestoreStats implements StatsSource {
  constructor(
    private readonly db: Firestore,
    private readonly store: Pick<Store, 'getRun'>,
  ) {}

  async users(now: number): Promise<UserFigures> {
    const count = async (query: FirebaseFirestore.Query) =>
      (await query.count().get()).data().count;
    const total = count(users(this.db));
    const needing = count(users(this.db).where('needsReconnect', '==', true));
    const watching = count(
      users(this.db).where('watch.expiration', '>', now).orderBy('watch.expiration'),
    );
    const withoutToken = count(users(this.db).where('refreshToken', '==', null));
    const [all, needingSignIn, watchingNow, tokenless] = await Promise.all([
      total,
      needing,
      watching,
      withoutToken,
    ]);
    // Marking a user as needing sign-in keeps the token: the two groups do not overlap.
    return {
      total: all,
      connected: all - needingSignIn - tokenless,
      watching: watchingNow,
      needingSignIn,
    };
  }

  async runsSince(since: number, limit: number): Promise<Run[]> {
    const snapshot = await runs(this.db)
      .where('scheduledAt', '>=', since)
      .orderBy('scheduledAt', 'desc')
      .limit(limit)
      .select()
      .get();
    return this.load(snapshot.docs.map((doc) => doc.id));
  }

  async runsInProgress(limit: number): Promise<Run[]> {
    const open = RUN_STATUSES.filter((status) => !FINAL_STATUSES.includes(status));
    // One equality query per status: each is served by the automatic single-field index.
    const snapshots = await Promise.all(
      open.map((status) => runs(this.db).where('status', '==', status).limit(limit).select().get()),
    );
    return this.load(snapshots.flatMap((snapshot) => snapshot.docs.map((doc) => doc.id)));
  }

  private async load(ids: readonly string[]): Promise<Run[]> {
    const found = await Promise.all(ids.map((id) => this.store.getRun(id)));
    return found.filter((run): run is Run => run !== undefined);
  }
}
