import { z } from 'zod';
import type { KeyRing } from '../domain/ports.js';
import { emailHash } from '../domain/sealing.js';
import { type JobDeps, syncTask } from './job-deps.js';

/**
 * What a Gmail notification (push or pull) leads to: at most one coalesced sync task for a
 * known, connected user whose cursor is behind the notification. Nothing else runs here: the
 * sync itself is a task, so the caller can acknowledge at once.
 */

/** `message.data` of a Gmail notification, decoded: `{"emailAddress", "historyId"}`. */
export const gmailNotificationSchema = z.object({
  emailAddress: z
    .string()
    .max(320)
    .regex(/^[^@\s]+@[^@\s]+$/),
  historyId: z.union([
    z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER),
    z.string().regex(/^\d{1,20}$/),
  ]),
});

export type GmailNotification = z.infer<typeof gmailNotificationSchema>;

/** Base64 (standard or URL-safe, padded or not), as Pub/Sub and Gmail write it. */
const BASE64 = /^[A-Za-z0-9+/_-]*={0,2}$/;

/** Decodes `message.data` into a notification, or undefined when it is not one. */
export function decodeNotification(data: string | Buffer): GmailNotification | undefined {
  let bytes: Buffer;
  if (typeof data === 'string') {
    if (!BASE64.test(data)) return undefined;
    bytes = Buffer.from(data, 'base64');
  } else bytes = data;
  let json: unknown;
  try {
    json = JSON.parse(bytes.toString('utf8'));
  } catch {
    return undefined;
  }
  const parsed = gmailNotificationSchema.safeParse(json);
  return parsed.success ? parsed.data : undefined;
}

export type NotificationOutcome =
  /** No such user (never signed up, or disconnected), or one whose Google access is gone. */
  | 'unknown'
  /** The user has no cursor yet (no full scan finished) or it is already past this change. */
  | 'up-to-date'
  | 'queued';

/** How often the notification time is written at most: a burst costs one write, not 100. */
const RECORD_EVERY_MS = 60_000;

export async function acceptNotification(
  deps: Pick<JobDeps, 'store' | 'queue' | 'clock' | 'log'> & { readonly keyRing: KeyRing },
  notification: GmailNotification,
): Promise<NotificationOutcome> {
  const { store, clock } = deps;
  const hash = await emailHash(deps.keyRing, notification.emailAddress);
  const user = await store.findUserByEmailHash(hash);
  if (!user || user.needsReconnect || user.refreshToken === null) return 'unknown';
  const now = clock.now();
  const last = user.watch?.lastNotificationAt;
  if (user.watch && (last === null || last === undefined || now - last >= RECORD_EVERY_MS)) {
    await store.recordNotification(user.id, now);
  }
  // A duplicate, or a late one overtaken by a sync: everything up to it has been read.
  if (!user.cursor || BigInt(notification.historyId) <= BigInt(user.cursor.historyId)) {
    return 'up-to-date';
  }
  await deps.queue.enqueue(syncTask(user.id, now));
  return 'queued';
}
