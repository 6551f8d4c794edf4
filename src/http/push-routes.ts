import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { z } from 'zod';
import type { KeyRing } from '../domain/ports.js';
import { AppError } from '../errors.js';
import type { JobDeps } from '../jobs/job-deps.js';
import { acceptNotification, decodeNotification } from '../jobs/sync-notification.js';
import type { AppEnv } from './env.js';
import type { TaskCaller } from './task-routes.js';

/** Pub/Sub push bodies are small; Gmail's notification is about 100 bytes. */
export const MAX_PUSH_BYTES = 64 * 1024;

/** The Pub/Sub push envelope. Unknown fields (the emulator's snake_case twins) are ignored. */
const envelopeSchema = z.object({
  message: z.object({
    data: z.string().max(MAX_PUSH_BYTES),
    messageId: z.string().min(1).max(256),
    publishTime: z.string().min(1).max(64),
    attributes: z.record(z.string(), z.string()).optional(),
  }),
  subscription: z.string().min(1).max(512),
  deliveryAttempt: z.number().int().min(0).optional(),
});

export interface PushDeps {
  readonly jobs: JobDeps;
  readonly keyRing: KeyRing;
}

/**
 * `POST /push/gmail`: Gmail's notifications through a Pub/Sub push subscription. The caller is
 * checked first (an OIDC token in the cloud, a verification token locally), then the size and
 * the envelope; a well-formed notification queues at most one sync task and is acknowledged
 * with 204. Nothing runs after the answer, and bad input never gets a 5xx (which Pub/Sub would
 * retry for days).
 */
export function pushRoutes(deps: PushDeps, caller: TaskCaller): Hono<AppEnv> {
  const app = new Hono<AppEnv>();

  app.post(
    '/gmail',
    async (c, next) => {
      if (await caller.verify(c.req.raw)) return next();
      const presented =
        c.req.header('authorization') !== undefined || c.req.query('token') !== undefined;
      throw presented
        ? new AppError('forbidden', 'Not the push subscription')
        : new AppError('unauthenticated', 'Push credentials are missing');
    },
    bodyLimit({
      maxSize: MAX_PUSH_BYTES,
      onError: () => {
        throw new AppError('payload_too_large', `A push body is at most ${MAX_PUSH_BYTES} bytes`);
      },
    }),
    async (c) => {
      let body: unknown;
      try {
        body = await c.req.json();
      } catch {
        throw new AppError('bad_request', 'The push body is not JSON');
      }
      const envelope = envelopeSchema.safeParse(body);
      if (!envelope.success) throw new AppError('bad_request', 'Not a Pub/Sub push envelope');
      const notification = decodeNotification(envelope.data.message.data);
      if (!notification) throw new AppError('bad_request', 'Not a Gmail notification');

      const outcome = await acceptNotification(
        { ...deps.jobs, keyRing: deps.keyRing },
        notification,
      );
      c.get('log').debug('gmail notification', {
        outcome,
        messageId: envelope.data.message.messageId,
        deliveryAttempt: envelope.data.deliveryAttempt,
      });
      return c.body(null, 204);
    },
  );

  return app;
}
