import { createHash, timingSafeEqual } from 'node:crypto';
import type { TaskCaller } from '../http/task-routes.js';

/**
 * Local mode's push authentication: `POST /push/gmail?token=...` with PUSH_VERIFICATION_TOKEN,
 * compared in constant time. With no token configured every push is refused: an open endpoint
 * would let anyone make the service spend a user's Gmail quota.
 */
export class PushTokenCaller implements TaskCaller {
  private readonly expected: Buffer | undefined;

  constructor(token: string | undefined) {
    this.expected = token ? digest(token) : undefined;
  }

  async verify(request: Request): Promise<boolean> {
    const given = new URL(request.url).searchParams.get('token');
    if (!this.expected || given === null) return false;
    // Digests have one length, so neither the comparison nor its length check leaks the token.
    return timingSafeEqual(digest(given), this.expected);
  }
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}
