import type { DatabaseSync, StatementSync } from 'node:sqlite';
import { transaction } from './sqlite-transaction.js';

/** Prepared statements cached by their text, and synchronous transactions, on one handle. */
export class SqlRunner {
  private readonly statements = new Map<string, StatementSync>();

  constructor(private readonly db: DatabaseSync) {}

  sql(text: string): StatementSync {
    let statement = this.statements.get(text);
    if (!statement) {
      statement = this.db.prepare(text);
      this.statements.set(text, statement);
    }
    return statement;
  }

  tx<T>(work: () => T): T {
    return transaction(this.db, work);
  }
}
