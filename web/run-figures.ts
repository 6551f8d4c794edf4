import { PAUSE_MESSAGES } from '../src/domain/classifier-errors.js';
import type { RunView } from '../src/http/run-view.js';
import { formatDuration } from './format.js';

/** `2026-12-04 08:00 UTC`, as web/static/run-status.js writes it. */
export function formatUtc(iso: string): string {
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
}

/** A run's progress as the pages show it; web/static/run-status.js computes the same. */
export interface RunFigures {
  readonly final: boolean;
  readonly paused: boolean;
  /** 0..100, or null while the number in scope is not known yet. */
  readonly percent: number | null;
  readonly elapsed: string;
  readonly eta: string;
}

const FINAL = ['DONE', 'FAILED', 'CANCELLED'];
/** Before this much processing time a rate says little: the ETA waits. */
const MIN_SAMPLE_MS = 5_000;

export function runFigures(run: RunView, now: number): RunFigures {
  const final = FINAL.includes(run.status);
  const paused = run.paused;
  const started = run.startedAt === null ? null : Date.parse(run.startedAt);
  const ended = run.endedAt === null ? null : Date.parse(run.endedAt);
  const elapsedMs = started === null ? null : (ended ?? now) - started;
  const percent =
    run.total > 0 ? Math.min(100, Math.floor((run.processed / run.total) * 100)) : null;
  return {
    final,
    paused,
    percent: final && run.status === 'DONE' ? 100 : percent,
    elapsed: elapsedMs === null ? 'Not started yet' : formatDuration(elapsedMs),
    eta: etaText(run, { final, paused, elapsedMs }),
  };
}

function etaText(
  run: RunView,
  state: { final: boolean; paused: boolean; elapsedMs: number | null },
): string {
  if (state.final) return run.status === 'DONE' ? 'Finished' : 'Stopped';
  if (state.paused) {
    return run.errors.at(-1)?.message === PAUSE_MESSAGES.spend_cap
      ? 'Paused until the spend cap is raised'
      : 'Paused until the OpenAI key is updated';
  }
  if (run.status === 'REVIEW') return 'Waiting for your review';
  if (run.startsAt !== null) {
    return `Waiting in line for Gmail's daily quota: starts at ${formatUtc(run.startsAt)}`;
  }
  if (state.elapsedMs === null) return 'Not known until the run starts';
  if (run.processed === 0 || state.elapsedMs < MIN_SAMPLE_MS) {
    return 'Not known yet (waiting for the first batch)';
  }
  const perMs = run.processed / state.elapsedMs;
  return `About ${formatDuration(run.remaining / perMs)} more, at the rate so far`;
}
