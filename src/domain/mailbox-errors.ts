/** Google refused the user's refresh token (invalid_grant): only a new sign-in can fix it. */
export class ReconnectNeeded extends Error {
  override readonly name = 'ReconnectNeeded';
  constructor(message = 'Google access was revoked or expired: sign in again') {
    super(message);
  }
}

/** Gmail kept failing (5xx, rate limits, resets) after every retry; the task may be retried later. */
export class MailboxUnavailable extends Error {
  override readonly name = 'MailboxUnavailable';
  constructor(
    message: string,
    /** When the caller may try again, in ms from now, if Gmail said so. */
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }
}

/**
 * Gmail refused a search query (400 invalidArgument): an operator it does not accept here.
 * Nothing is wrong with the mailbox; the caller falls back to something that needs no search.
 */
export class SearchRefused extends Error {
  override readonly name = 'SearchRefused';
}

/** Gmail refused a label id in a listing (400 invalidArgument): the account has no such label. */
export class LabelUnknown extends Error {
  override readonly name = 'LabelUnknown';
}
