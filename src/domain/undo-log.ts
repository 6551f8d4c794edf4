/**
 * Undo is recorded on the run itself, in its log (the same plain-words log the status page
 * shows), so every Store adapter keeps it without a schema change: the latest undo entry
 * says where the undo stands.
 */

export const UNDO_REQUESTED = "Undo requested: moving this run's messages back out of Trash.";
export const UNDO_STOPPED =
  'Undo stopped: Google access was revoked or has expired. Sign in again, then undo again.';
const UNDONE_PREFIX = 'Undone: ';

export function undoneMessage(restored: number): string {
  const what = restored === 1 ? '1 message' : `${restored.toLocaleString('en-US')} messages`;
  return `${UNDONE_PREFIX}${what} moved back out of Trash.`;
}

/** none: never undone (or a stopped undo may start again); pending: under way; done. */
export type UndoState = 'none' | 'pending' | 'done';

export function undoState(log: readonly { readonly message: string }[]): UndoState {
  for (let i = log.length - 1; i >= 0; i--) {
    const message = log[i]?.message ?? '';
    if (message === UNDO_REQUESTED) return 'pending';
    if (message.startsWith(UNDONE_PREFIX)) return 'done';
    if (message === UNDO_STOPPED) return 'none';
  }
  return 'none';
}
