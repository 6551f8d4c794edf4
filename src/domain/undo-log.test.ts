import { describe, expect, it } from 'vitest';
import { UNDO_REQUESTED, UNDO_STOPPED, undoneMessage, undoState } from './undo-log.js';

describe('undoState', () => {
  const log = (...messages: string[]) => messages.map((message, at) => ({ at, message }));

  it('reads where an undo stands from the latest undo entry of the log', () => {
    expect(undoState(log())).toBe('none');
    expect(undoState(log('Resumed: the OpenAI key was updated.'))).toBe('none');
    expect(undoState(log(UNDO_REQUESTED))).toBe('pending');
    expect(undoState(log(UNDO_REQUESTED, 'something else'))).toBe('pending');
    expect(undoState(log(UNDO_REQUESTED, undoneMessage(3)))).toBe('done');
    expect(undoState(log(UNDO_REQUESTED, UNDO_STOPPED))).toBe('none');
    expect(undoneMessage(1)).toBe('Undone: 1 message moved back out of Trash.');
  });
});
