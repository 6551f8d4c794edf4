/**
 * Gmail quota facts. Units per method differ between projects created since 2026-05-01 and
 * older ones, so both tables are kept and configuration picks one.
 */

export const QUOTA_TABLES = ['2026', 'legacy'] as const;
export type QuotaTableName = (typeof QUOTA_TABLES)[number];

/** Gmail quota units per method: the 2026 table, and the cheaper one of older projects. */
export const GMAIL_UNIT_TABLES = {
  '2026': {
    'users.getProfile': 1,
    'users.labels.list': 1,
    'users.history.list': 2,
    'users.messages.list': 5,
    'users.messages.get': 20,
    'users.messages.trash': 20,
    'users.messages.untrash': 5,
    'users.messages.modify': 5,
    'users.messages.batchModify': 50,
    'users.messages.batchDelete': 50,
    'users.threads.list': 10,
    'users.threads.get': 40,
    'users.watch': 100,
    'users.stop': 50,
  },
  legacy: {
    'users.getProfile': 1,
    'users.labels.list': 1,
    'users.history.list': 2,
    'users.messages.list': 5,
    'users.messages.get': 5,
    'users.messages.trash': 5,
    'users.messages.untrash': 5,
    'users.messages.modify': 5,
    'users.messages.batchModify': 50,
    'users.messages.batchDelete': 50,
    'users.threads.list': 10,
    'users.threads.get': 10,
    'users.watch': 100,
    'users.stop': 50,
  },
} as const satisfies Record<QuotaTableName, Record<string, number>>;

export type GmailMethod = keyof (typeof GMAIL_UNIT_TABLES)['2026'];
export type GmailUnitTable = Readonly<Record<GmailMethod, number>>;

/** Per-user budget per minute under each table. */
export const DEFAULT_USER_UNITS_PER_MINUTE: Record<QuotaTableName, number> = {
  '2026': 6_000,
  legacy: 15_000,
};

/** Per-project budget per minute. */
export const DEFAULT_PROJECT_UNITS_PER_MINUTE = 1_200_000;
