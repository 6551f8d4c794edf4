import { describe, expect, it } from 'vitest';
import { SEARCH_REFUSED_NOTE } from '../src/jobs/plan-search-refused.js';
import { oddMailbox } from './helpers/odd-mailboxes.js';
import { inScope, protectedIds } from './helpers/outside-checks.js';
import { type Judge, scanThroughContract } from './helpers/outside-scan.js';

const OWNER = 'plain-search@example.com';

describe('a stand-in Google whose search refuses an operator the scan by sender uses', () => {
  it.each([
    ['larger:', 'rules'],
    ['category:', 'rules'],
    ['from:', 'llm-trash-all'],
    ['is:important', 'llm-trash-all'],
  ] as const)(
    'still scans everything to DONE when %s is refused (%s)',
    async (operator, judge: Judge) => {
      const { before, run, trashed } = await scanThroughContract({
        owner: OWNER,
        mailbox: oddMailbox(OWNER, 12, Date.now()),
        strategy: 'by-sender',
        judge,
        undo: false,
        prepare: (google) =>
          google.google.faults.inject({ kind: 'refuseQuery', operator, email: OWNER }),
      });
      const scope = inScope(before);
      expect(run.status).toBe('DONE');
      expect(run.total).toBe(scope.length);
      expect(run.processed).toBe(scope.length);
      const covered = protectedIds(before);
      expect([...trashed].filter((id) => covered.has(id))).toEqual([]);
      expect(trashed.size).toBeGreaterThan(0);
      // The owner is told, in plain words, why this scan cost more.
      expect(run.errors.map((e) => e.message)).toContain(SEARCH_REFUSED_NOTE);
    },
  );
});
