import { randomBytes } from 'node:crypto';
import type { Clock, Ids } from '../domain/ports.js';

export const systemClock: Clock = { now: () => Date.now() };

/** 128 random bits, base64url (22 characters). */
export const randomRunIds: Ids = { runId: () => randomBytes(16).toString('base64url') };
