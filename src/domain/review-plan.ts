import type { Batch, MessageDecision } from './model.js';
import { estimatedSizeIds } from './size-estimates.js';

/** The key of trash decisions whose sender address is not known (it is never an address). */
export const UNKNOWN_SENDER_KEY = 'unknown';
/** Why a message a review proposed for Trash was kept: its owner kept the sender. */
export const KEPT_IN_REVIEW = 'kept by you in review';
/** Why a message a review proposed for Trash was not trashed after all. */
export const CHANGED_BEFORE_APPLY = 'changed before you applied the review';

const SAMPLE_SUBJECTS = 3;

/** One sender's mail in a review's proposal. */
export interface PlanSender {
  /** The lowercased address, or UNKNOWN_SENDER_KEY: what a `keep` form field names. */
  readonly key: string;
  readonly address: string;
  readonly messages: number;
  readonly bytes: number;
  /** trash: proposed for Trash (or trashed, once applied); keep: kept by the owner. */
  readonly action: 'trash' | 'keep';
  /** The reason most of its messages were given, in a few words. */
  readonly reason: string;
  /** Some bytes are size-bucket estimates (mail decided unread), not each message's own. */
  readonly bytesEstimated: boolean;
  /** Subjects of the messages the scan read, when it read some (a scan by sender's samples). */
  readonly subjects: readonly string[];
}

/** The other decisions of a review, by kind. */
export interface PlanKinds {
  readonly protected: { readonly messages: number; readonly reasons: Record<string, number> };
  readonly kept: { readonly messages: number; readonly reasons: Record<string, number> };
  readonly other: { readonly messages: number };
}

export interface ReviewPlan {
  /** Largest first. */
  readonly senders: readonly PlanSender[];
  readonly kinds: PlanKinds;
  readonly trash: { readonly messages: number; readonly bytes: number };
}

interface Tally {
  messages: number;
  bytes: number;
  estimated: boolean;
  kept: number;
  reasons: Map<string, number>;
  subjects: string[];
}

/**
 * Sums a review run's decisions by sender, batch by batch (call `add` for each, then
 * `result`), so only one batch and the per-sender totals are in memory at a time.
 */
export class ReviewPlanBuilder {
  private readonly senders = new Map<string, Tally>();
  private readonly protectedReasons = new Map<string, number>();
  private readonly keptReasons = new Map<string, number>();
  private other = 0;

  add(batch: Batch): void {
    const sampled = new Map<string, string>();
    if (batch.plan?.kind === 'sender') {
      for (const s of batch.plan.samples) sampled.set(s.id, s.subject);
    }
    // Mail decided unread counts its size bucket; a read message counts its own size.
    const estimated = estimatedSizeIds(batch.plan, batch.messageIds);
    for (const d of batch.decisions) this.addDecision(d, sampled, estimated);
  }

  private addDecision(
    d: MessageDecision,
    sampled: Map<string, string>,
    estimated: ReadonlySet<string>,
  ) {
    if (d.decision === 'protected') return bump(this.protectedReasons, d.reason);
    if (d.decision === 'keep' && d.reason !== KEPT_IN_REVIEW) {
      return bump(this.keptReasons, d.reason);
    }
    if (d.decision !== 'trash' && d.decision !== 'keep') {
      this.other++;
      return;
    }
    const key = d.sender ?? UNKNOWN_SENDER_KEY;
    const tally: Tally = this.senders.get(key) ?? {
      messages: 0,
      bytes: 0,
      estimated: false,
      kept: 0,
      reasons: new Map(),
      subjects: [],
    };
    tally.messages++;
    tally.bytes += d.bytes;
    tally.estimated ||= estimated.has(d.id);
    if (d.decision === 'keep') tally.kept++;
    else bump(tally.reasons, d.reason);
    const subject = sampled.get(d.id);
    if (subject && tally.subjects.length < SAMPLE_SUBJECTS) tally.subjects.push(subject);
    this.senders.set(key, tally);
  }

  result(): ReviewPlan {
    const senders = [...this.senders]
      .map(
        ([key, t]): PlanSender => ({
          key,
          address: key === UNKNOWN_SENDER_KEY ? '' : key,
          messages: t.messages,
          bytes: t.bytes,
          action: t.kept > 0 ? 'keep' : 'trash',
          reason: t.kept > 0 ? KEPT_IN_REVIEW : commonest(t.reasons),
          bytesEstimated: t.estimated,
          subjects: t.subjects,
        }),
      )
      .sort((a, b) => b.bytes - a.bytes || b.messages - a.messages || a.key.localeCompare(b.key));
    const trash = senders.filter((s) => s.action === 'trash');
    return {
      senders,
      kinds: {
        protected: summary(this.protectedReasons),
        kept: summary(this.keptReasons),
        other: { messages: this.other },
      },
      trash: {
        messages: trash.reduce((n, s) => n + s.messages, 0),
        bytes: trash.reduce((n, s) => n + s.bytes, 0),
      },
    };
  }
}

function bump(map: Map<string, number>, key: string): void {
  map.set(key, (map.get(key) ?? 0) + 1);
}

function commonest(reasons: ReadonlyMap<string, number>): string {
  let best = '';
  let most = 0;
  for (const [reason, n] of reasons) {
    if (n > most) [best, most] = [reason, n];
  }
  return best;
}

function summary(reasons: ReadonlyMap<string, number>) {
  return {
    messages: [...reasons.values()].reduce((n, v) => n + v, 0),
    reasons: Object.fromEntries([...reasons].sort((a, b) => b[1] - a[1])),
  };
}
