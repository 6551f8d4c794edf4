import { z } from 'zod';
import { type DayLedger, spendInDay } from '../../domain/quota-day.js';

/**
 * One budget document of the shared Gmail quota ledger (a user's, or one shard of the
 * project's), and the pure rules that reserve from it and settle back into it.
 *
 * An entry is a chunk of units some instance reserved. It counts while `at + window > now`,
 * where `at` is when the chunk's last call ended; until the holder settles it, `at` is the
 * latest moment its calls can end (lease end plus the call timeout), so a holder that dies
 * leaves a chunk that still counts as long as its calls could have been charged.
 */

const entrySchema = z.object({ at: z.number(), units: z.number().nonnegative() });
const waiterSchema = z.object({ since: z.number(), until: z.number() });
const daySchema = z.object({
  day: z.string(),
  spent: z.number().nonnegative(),
  scans: z.record(z.string(), z.number().nonnegative()),
});

export const ledgerDocumentSchema = z.object({
  entries: z.record(z.string(), entrySchema).default({}),
  /** Holders refused for lack of room, oldest first in: nobody younger overtakes them. */
  waiting: z.record(z.string(), waiterSchema).default({}),
  /** Gmail answered 429 with Retry-After: nothing is reserved before this time. */
  heldUntil: z.number().default(0),
  /** A project shard's part of the quota day: units spent, scans admitted (quota-day.ts). */
  day: daySchema.optional(),
});
export type LedgerDocument = z.infer<typeof ledgerDocumentSchema>;

export interface ReserveAsk {
  readonly holder: string;
  readonly entryId: string;
  /** The units the next call needs: less is a refusal. */
  readonly minUnits: number;
  /** The chunk the holder would like (at least `minUnits`); less is granted when less is free. */
  readonly chunkUnits: number;
  readonly budget: number;
  readonly windowMs: number;
  readonly now: number;
  /** The latest moment a call started under this chunk can end. */
  readonly endBy: number;
  /** Whether refused holders queue, so that nobody younger overtakes them. */
  readonly fair: boolean;
  /** How long a refused holder waits at most before asking again. */
  readonly pollMs: number;
}

export type ReserveAnswer =
  | { readonly granted: number; readonly document: LedgerDocument }
  | {
      readonly waitMs: number;
      readonly document: LedgerDocument;
      /** Whether the refusal changed the document (a new or refreshed place in line). */
      readonly changed: boolean;
    };

/** Drops entries that no longer count and waiters that stopped asking. */
export function prune(document: LedgerDocument, now: number, windowMs: number): LedgerDocument {
  const entries = Object.fromEntries(
    Object.entries(document.entries).filter(([, entry]) => entry.at + windowMs > now),
  );
  const waiting = Object.fromEntries(
    Object.entries(document.waiting).filter(([, waiter]) => waiter.until > now),
  );
  return { ...document, entries, waiting };
}

/** Units that count at `now` (the document pruned). */
export function usedUnits(document: LedgerDocument): number {
  return Object.values(document.entries).reduce((sum, entry) => sum + entry.units, 0);
}

/** Reserves a chunk if the budget has room for the next call, else says how long to wait. */
export function reserve(stored: LedgerDocument, ask: ReserveAsk): ReserveAnswer {
  const document = prune(stored, ask.now, ask.windowMs);
  const room = ask.budget - usedUnits(document);
  const mine = document.waiting[ask.holder];
  const since = mine?.since ?? ask.now;
  const olderWaiter = Object.entries(document.waiting).some(
    ([holder, waiter]) => holder !== ask.holder && waiter.since < since,
  );
  if (document.heldUntil <= ask.now && room >= ask.minUnits && !(ask.fair && olderWaiter)) {
    const granted = Math.min(Math.max(ask.chunkUnits, ask.minUnits), room);
    const { [ask.holder]: _served, ...waiting } = document.waiting;
    return {
      granted,
      document: {
        ...document,
        entries: { ...document.entries, [ask.entryId]: { at: ask.endBy, units: granted } },
        waiting,
      },
    };
  }
  const waitMs = Math.min(
    ask.pollMs,
    Math.max(1, document.heldUntil - ask.now, roomAfterMs(document, ask)),
  );
  if (!ask.fair) return { waitMs, document, changed: false };
  // A place in line lasts a few polls, so a holder that died stops blocking the others.
  const refresh = !mine || mine.until - ask.now < ask.pollMs * 2;
  const until = ask.now + ask.pollMs * 4;
  return {
    waitMs,
    changed: refresh,
    document: refresh
      ? { ...document, waiting: { ...document.waiting, [ask.holder]: { since, until } } }
      : document,
  };
}

/** Milliseconds until entries expiring leave room for `minUnits`. */
function roomAfterMs(document: LedgerDocument, ask: ReserveAsk): number {
  let used = usedUnits(document);
  const sorted = Object.values(document.entries).sort((a, b) => a.at - b.at);
  for (const entry of sorted) {
    used -= entry.units;
    if (ask.budget - used >= ask.minUnits) return entry.at + ask.windowMs - ask.now;
  }
  return 0;
}

/**
 * The holder's calls under a chunk have all ended: the chunk now counts only what they spent,
 * until a window after the last of them ended. Nothing spent: the chunk is gone.
 */
export function settle(
  stored: LedgerDocument,
  settlement: {
    entryId: string;
    spent: number;
    lastEnd: number;
    now: number;
    windowMs: number;
    /** A project shard also counts the units into its quota day. */
    countsDay?: boolean;
  },
): LedgerDocument {
  const pruned = prune(stored, settlement.now, settlement.windowMs);
  const day: DayLedger | undefined = settlement.countsDay
    ? spendInDay(pruned.day, settlement.spent, settlement.now)
    : pruned.day;
  const document = day ? { ...pruned, day } : pruned;
  const { [settlement.entryId]: previous, ...entries } = document.entries;
  if (!previous || settlement.spent === 0) return { ...document, entries };
  return {
    ...document,
    entries: {
      ...entries,
      [settlement.entryId]: {
        at: Math.min(previous.at, settlement.lastEnd),
        units: Math.min(previous.units, settlement.spent),
      },
    },
  };
}
