import type { Context, Hono } from 'hono';
import type { GmailMethod } from '../../domain/gmail-quota.js';
import { GoogleApiError, gmailErrors } from './gmail-errors.js';
import type { SimAccount } from './sim-account.js';
import type { SimFaults } from './sim-faults.js';
import type { SimQuota } from './sim-quota.js';
import type { SimStats } from './sim-stats.js';
import type { SimGrant } from './sim-types.js';

export const SCOPES = {
  full: 'https://mail.google.com/',
  modify: 'https://www.googleapis.com/auth/gmail.modify',
  readonly: 'https://www.googleapis.com/auth/gmail.readonly',
  metadata: 'https://www.googleapis.com/auth/gmail.metadata',
} as const;

/** Which scopes let a call through: `read` for reads, `modify` for label changes, `full` to delete. */
export type Access = 'read' | 'modify' | 'full';

const ACCEPTED: Record<Access, readonly string[]> = {
  read: [SCOPES.full, SCOPES.modify, SCOPES.readonly, SCOPES.metadata],
  modify: [SCOPES.full, SCOPES.modify],
  full: [SCOPES.full],
};

export interface GmailCallDeps {
  readonly account: (email: string) => SimAccount | undefined;
  readonly grantFor: (accessToken: string) => SimGrant | undefined;
  readonly quota: SimQuota;
  readonly faults: SimFaults;
  readonly stats: SimStats;
  readonly now: () => number;
  /** Gmail refuses more parallel requests than this per user with 429 (unlimited when absent). */
  readonly maxConcurrentPerUser?: number | undefined;
}

export interface Call {
  readonly c: Context;
  readonly account: SimAccount;
  readonly grant: SimGrant;
}

type Handler = (call: Call) => unknown;

/** Node's incoming request, when the sim is served by @hono/node-server. */
interface NodeBindings {
  incoming?: { socket?: { destroy(): void } };
}

/**
 * Wraps a Gmail endpoint the way Google's front end treats every call: authenticate, resolve
 * the user, injected latency and faults, concurrency, then quota, then the handler. Only calls
 * that are answered successfully are charged.
 */
export function gmailCall(deps: GmailCallDeps) {
  const inFlight = new Map<string, number>();

  return (method: GmailMethod, access: Access, handler: Handler) => async (c: Context) => {
    const grant = deps.grantFor(bearer(c.req.header('authorization')) ?? '');
    if (!grant) return gmailErrors.invalidCredentials().toResponse();
    const userId = c.req.param('userId') ?? 'me';
    if (userId !== 'me' && userId.toLowerCase() !== grant.email.toLowerCase()) {
      return gmailErrors.delegationDenied(userId).toResponse();
    }
    const account = deps.account(grant.email);
    if (!account) return gmailErrors.invalidCredentials().toResponse();
    if (!grant.scopes.some((scope) => ACCEPTED[access].includes(scope))) {
      return gmailErrors.insufficientScope().toResponse();
    }

    const email = account.email;
    // A request is in flight from the moment Google receives it, latency included.
    const running = inFlight.get(email) ?? 0;
    if (deps.maxConcurrentPerUser !== undefined && running >= deps.maxConcurrentPerUser) {
      deps.stats.record(email, method, 'rateLimited');
      return gmailErrors.tooManyConcurrent().toResponse();
    }
    inFlight.set(email, running + 1);
    try {
      const latency = deps.faults.latencyFor(email, method);
      if (latency > 0) await new Promise((resolve) => setTimeout(resolve, latency));
      const action = deps.faults.actionFor(email, method);
      if (action.type === 'reset') {
        deps.stats.record(email, method, 'faulted');
        const socket = (c.env as NodeBindings | undefined)?.incoming?.socket;
        if (!socket) throw new Error('simulated connection reset');
        socket.destroy();
        return new Response(null, { status: 500 });
      }
      if (action.type === 'error') {
        deps.stats.record(email, method, 'faulted');
        return action.error.toResponse();
      }
      const refused = deps.quota.charge(email, method);
      if (refused) {
        deps.stats.record(email, method, 'rateLimited');
        return refused.toResponse();
      }
      // Charged calls are counted whatever they answer: a 404 on a vanished message costs too.
      deps.stats.record(email, method, 'ok', deps.quota.cost(method));
      const result = await handler({ c, account, grant });
      if (result instanceof Response) return result;
      if (result === undefined) return c.body(null, 204);
      return c.json(result as object);
    } catch (error) {
      if (error instanceof GoogleApiError) return error.toResponse();
      throw error;
    } finally {
      inFlight.set(email, (inFlight.get(email) ?? 1) - 1);
    }
  };
}

function bearer(header: string | undefined): string | undefined {
  const match = /^Bearer\s+(\S+)$/i.exec(header ?? '');
  return match?.[1];
}

/** Repeated query parameters (`labelIds=A&labelIds=B`) and comma lists both count. */
export function listParam(c: Context, name: string): string[] {
  return (c.req.queries(name) ?? []).flatMap((v) => v.split(',')).filter((v) => v !== '');
}

/** Gmail validates a JSON body; a missing or broken one is a 400. */
export async function jsonBody(c: Context): Promise<unknown> {
  try {
    return await c.req.json();
  } catch {
    throw gmailErrors.invalidArgument('Invalid JSON payload received.');
  }
}

export type GmailRouter = (app: Hono, call: ReturnType<typeof gmailCall>) => void;
