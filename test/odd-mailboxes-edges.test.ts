import { describe, expect, it } from 'vitest';
import { emptyMailbox, freshMailMailbox, oneMessageMailbox } from './helpers/odd-mailboxes.js';
import { inScope } from './helpers/outside-checks.js';
import { type Judge, type Strategy, scanThroughContract } from './helpers/outside-scan.js';

const OWNER = 'edges@example.com';
const BOTH: readonly (readonly [Strategy, Judge])[] = [
  ['by-message', 'rules'],
  ['by-sender', 'rules'],
  ['by-message', 'llm-trash-all'],
  ['by-sender', 'llm-trash-all'],
];

describe('mailboxes at the edges, scanned through the contract', () => {
  it.each(BOTH)(
    'scans an empty mailbox to DONE with every count zero (%s, %s)',
    async (strategy, judge) => {
      const { run, trashed } = await scanThroughContract({
        owner: OWNER,
        mailbox: emptyMailbox(),
        strategy,
        judge,
      });
      expect(run).toMatchObject({
        status: 'DONE',
        total: 0,
        processed: 0,
        remaining: 0,
        trashed: 0,
        bytesTrashed: 0,
        protected: 0,
        failed: 0,
      });
      expect(trashed.size).toBe(0);
    },
  );

  it.each(BOTH)(
    'trashes the one old promotion of a one-message mailbox (%s, %s)',
    async (strategy, judge) => {
      const mailbox = oneMessageMailbox(OWNER, Date.now());
      const { run, trashed, after } = await scanThroughContract({
        owner: OWNER,
        mailbox,
        strategy,
        judge,
      });
      const [only] = mailbox.messages;
      expect(run).toMatchObject({
        status: 'DONE',
        total: 1,
        processed: 1,
        remaining: 0,
        trashed: 1,
      });
      // A scan by sender decides mail unread: its size comes from size listings, and says so.
      if (strategy === 'by-message') expect(run.bytesTrashed).toBe(only!.sizeEstimate);
      else expect(Math.abs(run.bytesTrashed / only!.sizeEstimate - 1)).toBeLessThanOrEqual(0.005);
      expect(run.bytesEstimated).toBe(strategy === 'by-sender');
      expect([...trashed]).toEqual([only!.id]);
      expect(after.get(only!.id)).not.toContain('TRASH');
    },
  );

  it.each(BOTH)(
    'covers mail Google received a second before the scan, with the service’s clock 5 s behind (%s, %s)',
    async (strategy, judge) => {
      const mailbox = freshMailMailbox(OWNER, 5, Date.now());
      const { before, run } = await scanThroughContract({
        owner: OWNER,
        mailbox,
        strategy,
        judge,
        clockBehindMs: 5_000,
        undo: false,
      });
      const scope = inScope(before);
      expect(run.status).toBe('DONE');
      expect(run.total).toBe(scope.length);
      expect(run.processed).toBe(scope.length);
      expect(run.remaining).toBe(0);
    },
  );
});
