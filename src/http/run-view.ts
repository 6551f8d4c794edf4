import { FINAL_STATUSES, type Run } from '../domain/model.js';
import { pauseReasonOf } from '../domain/run-pauses.js';
import { plannedStartOf } from '../domain/scan-waits.js';
import { undoState } from '../domain/undo-log.js';

/**
 * A run as the API shows it: no user id, no personal data; timestamps in ISO 8601.
 * `bytesEstimated` says bytesTrashed is an estimate (see bytes-estimated.ts), not exact.
 */
export function runView(run: Run, bytesEstimated: boolean = false) {
  const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
  return {
    id: run.id,
    kind: run.kind,
    status: run.status,
    scheduledAt: iso(run.scheduledAt),
    /** A scan waiting in line for the day's Gmail quota: when it is planned to start. */
    startsAt: iso(plannedStartOf(run) ?? null),
    startedAt: iso(run.startedAt),
    endedAt: iso(run.endedAt),
    total: run.total,
    processed: run.counters.processed,
    remaining: Math.max(0, run.total - run.counters.processed),
    trashed: run.counters.trashed,
    bytesTrashed: run.counters.bytesTrashed,
    bytesEstimated,
    protected: run.counters.protected,
    kept: run.counters.kept,
    failed: run.counters.failed,
    gone: run.counters.gone,
    llm: run.llm,
    /** Waiting for the user: a new OpenAI key, a raised cap or a new sign-in (see the log). */
    paused: !FINAL_STATUSES.includes(run.status) && pauseReasonOf(run.errors) !== undefined,
    /** Whether the run's Trash was given back: none, pending (under way) or done. */
    undo: undoState(run.errors),
    errors: run.errors.map((e) => ({ at: iso(e.at), message: e.message })),
  };
}

export type RunView = ReturnType<typeof runView>;

/** Run ids are 128 random bits in base64url: anything else is not a run. */
export const RUN_ID = /^[A-Za-z0-9_-]{22}$/;
