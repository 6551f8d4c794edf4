import { matchesQuery, parseQuery } from '../../src/local/google/gmail-search.js';
import type {
  SearchContext,
  SimLabel,
  SimMessage,
  SimSender,
} from '../../src/local/google/sim-types.js';

/**
 * A small simulated account for the Gmail search tests: three senders, three user labels, a
 * fixed now, and one personal message to vary.
 */

export const DAY = 86_400_000;
export const NOW = Date.UTC(2025, 5, 15, 12);

export const amazon: SimSender = {
  name: 'Amazon Deals',
  address: 'deals@amazon.com',
  bulk: true,
  listId: '<weekly.amazon.com>',
};
export const alice: SimSender = { name: 'Alice Martin', address: 'alice@example.org', bulk: false };
export const github: SimSender = { name: 'GitHub', address: 'noreply@github.com', bulk: true };

const userLabels: SimLabel[] = [
  { id: 'Label_1', name: 'Receipts', type: 'user' },
  { id: 'Label_2', name: 'Travel/2024', type: 'user' },
  { id: 'Label_3', name: 'To Do', type: 'user' },
];

/** Mirrors the simulated account's lookup: lowercased name or id, `/` and spaces as `-`. */
export const ctx: SearchContext = {
  now: NOW,
  isUserLabel: (id) => userLabels.some((label) => label.id === id),
  labelIdByName: (name) =>
    userLabels.find((label) =>
      [label.id, label.name, label.name.replace(/[/ ]/g, '-')].some(
        (candidate) => candidate.toLowerCase() === name.toLowerCase(),
      ),
    )?.id,
};

/** A day-old personal message from Alice, with `overrides`. */
export function message(overrides: Partial<SimMessage> = {}): SimMessage {
  return {
    id: '0000000000000001',
    threadId: '0000000000000001',
    internalDate: NOW - DAY,
    labelIds: ['INBOX', 'CATEGORY_PERSONAL'],
    from: alice,
    to: ['me@example.com'],
    subject: 'Dinner tonight?',
    snippet: 'Shall we try the new place on Elm Street',
    sizeEstimate: 4096,
    attachments: [],
    messageIdHeader: '<CAF1234@mail.example.org>',
    historyId: 1,
    ...overrides,
  };
}

/** Whether query `q` matches `m` in this account. */
export function matches(q: string, m: SimMessage = message()): boolean {
  return matchesQuery(parseQuery(q), m, ctx);
}
