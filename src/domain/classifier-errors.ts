/**
 * What a classifier throws when it cannot answer at all. Anything else (an error for one call,
 * a refusal, a malformed answer) is not thrown: the messages concerned are kept, with a reason.
 */

export type PauseReason =
  | 'key_rejected'
  | 'quota_exhausted'
  | 'model_refused'
  | 'key_unreadable'
  | 'spend_cap';

/** Plain words for the status page; no personal data. */
export const PAUSE_MESSAGES: Readonly<Record<PauseReason, string>> = {
  key_rejected: 'Your OpenAI key was rejected: update it to resume this run.',
  quota_exhausted:
    'Your OpenAI quota is exhausted: add credit to your OpenAI account, then save your key again to resume this run.',
  model_refused:
    'Your OpenAI key may not use the configured model: update the key or its project permissions to resume this run.',
  key_unreadable: 'Your OpenAI key could not be read: enter it again to resume this run.',
  spend_cap:
    'Paused: going on would pass the monthly OpenAI spend cap you set. Nothing is lost; raise the cap in your settings to resume this run.',
};

/** Written to the run's log when a new key (or the rules-only choice) resumes a paused run. */
export const RESUMED_MESSAGE = 'Resumed: the OpenAI key was updated.';
/** Written to the run's log when a raised spend cap resumes a paused run. */
export const CAP_RAISED_MESSAGE = 'Resumed: the monthly spend cap was raised.';

/**
 * The user's key cannot work until the user acts (a wrong key, exhausted quota). Retrying
 * cannot help: the run is paused (its unfinished batches wait) until the key is replaced.
 */
export class ClassifierPaused extends Error {
  override readonly name = 'ClassifierPaused';
  constructor(readonly reason: PauseReason) {
    super(PAUSE_MESSAGES[reason]);
  }
}

/** The classifier is rate limited for longer than a task should wait: try the batch later. */
export class ClassifierUnavailable extends Error {
  override readonly name = 'ClassifierUnavailable';
  constructor(
    message: string,
    readonly retryAfterMs: number,
  ) {
    super(message);
  }
}

/**
 * Whether a run waits for its owner (a new key, or with `reason` that one only): its latest
 * log entry is a pause message.
 */
export function isPausedLog(
  errors: readonly { readonly message: string }[],
  reason?: PauseReason,
): boolean {
  const last = errors.at(-1)?.message;
  if (last === undefined) return false;
  return reason ? last === PAUSE_MESSAGES[reason] : Object.values(PAUSE_MESSAGES).includes(last);
}
