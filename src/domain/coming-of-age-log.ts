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
