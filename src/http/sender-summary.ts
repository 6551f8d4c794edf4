import type { Run } from '../domain/model.js';
import type { Store } from '../domain/ports.js';
import { estimatedSizeIds } from '../domain/size-estimates.js';

export interface SenderShare {
  /** A lowercased address, or a plain-words label for the rest. */
  readonly sender: string;
  readonly messages: number;
  readonly bytes: number;
  /** Some sizes are size-bucket estimates (a scan by sender), not each message's own. */
  readonly estimated: boolean;
}

const TOP = 8;
const CACHED_RUNS = 200;

/**
 * Storage a finished run freed, by sender: the top senders by bytes and the rest together.
 * Read batch by batch (memory stays flat), then kept per run: a finished run's decisions do
 * not change. Senders are personal data: only the run's owner, signed in, sees this.
 */
export class SenderSummaries {
  private readonly cache = new Map<string, readonly SenderShare[]>();

  constructor(private readonly store: Store) {}

  async of(run: Run): Promise<readonly SenderShare[]> {
    const cached = this.cache.get(run.id);
    if (cached) return cached;
    const totals = new Map<string, { messages: number; bytes: number; estimated: boolean }>();
    for (let batchNo = 0; ; batchNo++) {
      const batch = await this.store.getBatch(run.id, batchNo);
      if (!batch) break;
      const plan = batch.plan;
      const estimated = estimatedSizeIds(plan, batch.messageIds);
      for (const d of batch.decisions) {
        if (d.decision !== 'trash') continue;
        const key = d.sender ?? 'unknown sender';
        const total = totals.get(key) ?? { messages: 0, bytes: 0, estimated: false };
        totals.set(key, {
          messages: total.messages + 1,
          bytes: total.bytes + d.bytes,
          estimated: total.estimated || estimated.has(d.id),
        });
      }
    }
    const ranked = [...totals]
      .map(([sender, t]) => ({ sender, ...t }))
      .sort((a, b) => b.bytes - a.bytes || b.messages - a.messages);
    const rest = ranked.slice(TOP);
    const shares: SenderShare[] = ranked.slice(0, TOP);
    if (rest.length > 0) {
      shares.push({
        sender: `${rest.length} other senders`,
        messages: rest.reduce((n, s) => n + s.messages, 0),
        bytes: rest.reduce((n, s) => n + s.bytes, 0),
        estimated: rest.some((s) => s.estimated),
      });
    }
    if (this.cache.size >= CACHED_RUNS) this.cache.delete(this.cache.keys().next().value!);
    this.cache.set(run.id, shares);
    return shares;
  }

  forget(runIds: readonly string[]): void {
    for (const id of runIds) this.cache.delete(id);
  }
}
