import {
  CAP_RAISED_MESSAGE,
  PAUSE_MESSAGES,
  type PauseReason,
  RESUMED_MESSAGE,
} from './classifier-errors.js';

/**
 * Why a run waits for its owner: their OpenAI key or spend cap (classifier-errors.ts), or their
 * Google grant, revoked or expired while the run was under way. A paused run keeps its public
 * status (PROCESSING or DELETING); its log ends with the pause message.
 */
export type RunPauseReason = PauseReason | 'google_access';

/** Plain words for the status page; no personal data. */
export const RUN_PAUSE_MESSAGES: Readonly<Record<RunPauseReason, string>> = {
  ...PAUSE_MESSAGES,
  google_access:
    'Google access was revoked or expired: sign in again to resume this run. Nothing is lost; its messages wait.',
};

/** Written to the run's log when a new sign-in resumes a run paused for Google access. */
export const RECONNECTED_MESSAGE = 'Resumed: Google access was given again.';

/** The log line that marks a run resumed after a pause for `reason`. */
export function resumedMessage(reason: RunPauseReason): string {
  if (reason === 'spend_cap') return CAP_RAISED_MESSAGE;
  if (reason === 'google_access') return RECONNECTED_MESSAGE;
  return RESUMED_MESSAGE;
}

/** Why the run waits for its owner (its latest log entry is a pause message), if it does. */
export function pauseReasonOf(
  errors: readonly { readonly message: string }[],
): RunPauseReason | undefined {
  const last = errors.at(-1)?.message;
  if (last === undefined) return undefined;
  const reasons = Object.keys(RUN_PAUSE_MESSAGES) as RunPauseReason[];
  return reasons.find((reason) => RUN_PAUSE_MESSAGES[reason] === last);
}

/** Whether the run ever waited for its owner: its decisions may be older than they look. */
export function everPaused(errors: readonly { readonly message: string }[]): boolean {
  const pauses = new Set(Object.values(RUN_PAUSE_MESSAGES));
  return errors.some((e) => pauses.has(e.message));
}
