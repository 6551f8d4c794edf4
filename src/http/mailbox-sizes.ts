import type { User } from '../domain/model.js';
import type { MailboxFactory } from '../domain/ports.js';
import type { Logger } from '../log.js';

const TTL_MS = 10 * 60_000;
const TIMEOUT_MS = 5_000;
const MAX_ENTRIES = 1_000;

/**
 * The size of a user's mailbox (getProfile's messagesTotal, one quota unit), for the scan
 * estimate on the dashboard. Kept a few minutes per user, so reloading the dashboard costs
 * nothing; a slow or failing Gmail gives "unknown" instead of a slow page.
 */
export class MailboxSizes {
  private readonly known = new Map<string, { total: number; at: number }>();

  constructor(
    private readonly mailboxFor: MailboxFactory,
    private readonly now: () => number,
    private readonly log: Logger,
  ) {}

  async get(user: User): Promise<number | undefined> {
    const cached = this.known.get(user.id);
    if (cached && this.now() - cached.at < TTL_MS) return cached.total;
    if (user.needsReconnect || !user.refreshToken) return undefined;
    try {
      const mailbox = await this.mailboxFor(user);
      const profile = await timeout(mailbox.profile(), TIMEOUT_MS);
      if (this.known.size >= MAX_ENTRIES) this.known.clear();
      this.known.set(user.id, { total: profile.messagesTotal, at: this.now() });
      return profile.messagesTotal;
    } catch (error) {
      this.log.info('mailbox size unknown for the estimate', {
        reason: error instanceof Error ? error.name : 'unknown',
      });
      return undefined;
    }
  }

  forget(userId: string): void {
    this.known.delete(userId);
  }
}

function timeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('timed out')), ms);
  });
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}
