/**
 * A coming-of-age run is an incremental run whose log starts with these words: how the
 * dashboard names it and the next pass finds where the last one stopped, with no new field.
 */
export const CAME_OF_AGE = 'Came of age';

export function isComingOfAge(run: {
  readonly kind: string;
  readonly errors: readonly { readonly message: string }[];
}): boolean {
  return run.kind === 'incremental' && run.errors[0]?.message.startsWith(CAME_OF_AGE) === true;
}

/** The log of a pass that Gmail's refusal of one of its searches stopped: nothing was looked at. */
export const PASS_SKIPPED_NOTE = `${CAME_OF_AGE}: skipped today, as Gmail refused a search this pass needs. The mail stays kept; the next pass looks again from where the last one stopped.`;

/** Whether a coming-of-age run is a skipped pass (it looked at nothing, so no window ends at it). */
export function isSkippedPass(run: {
  readonly kind: string;
  readonly errors: readonly { readonly message: string }[];
}): boolean {
  return isComingOfAge(run) && run.errors[0]?.message === PASS_SKIPPED_NOTE;
}
