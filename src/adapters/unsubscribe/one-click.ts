import { lookup as dnsLookup } from 'node:dns/promises';
import { request } from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import { isAllowedAddress, isSpecialUseName } from './public-address.js';

/** How one RFC 8058 one-click request ended; `detail` is plain words and never holds the URL. */
export interface OneClickResult {
  readonly outcome: 'unsubscribed' | 'refused' | 'failed' | 'timeout';
  readonly detail: string;
}

export interface OneClickOptions {
  /** The whole request, redirects included (default 5 s). */
  readonly timeoutMs?: number;
  readonly maxRedirects?: number;
  /** Resolves a host name (default: the system resolver). */
  readonly resolve?: (host: string) => Promise<readonly { address: string; family: number }[]>;
  /** Test-only: lets the request reach loopback, where a test's endpoint listens. */
  readonly allowLoopback?: boolean;
  /** Test-only: trusts this certificate authority (a test endpoint's self-signed one). */
  readonly ca?: string;
}

class Refused extends Error {}

const systemResolve = async (host: string) => dnsLookup(host, { all: true, verbatim: true });

/**
 * Sends the one POST RFC 8058 asks for: `List-Unsubscribe=One-Click`, form-encoded, no cookies,
 * no credentials, https only. Every address the request would connect to (after each redirect
 * too) must be public: the check is made in the connection's own lookup, so the address checked
 * is the address used. The URL is never logged or returned.
 */
export async function sendOneClick(
  url: URL,
  options: OneClickOptions = {},
): Promise<OneClickResult> {
  const deadline = Date.now() + (options.timeoutMs ?? 5_000);
  const resolve = options.resolve ?? systemResolve;
  const allowLoopback = options.allowLoopback === true;
  let target = url;
  for (let hop = 0; hop <= (options.maxRedirects ?? 3); hop++) {
    if (target.protocol !== 'https:') {
      return { outcome: 'refused', detail: 'the sender asked for a request that is not https' };
    }
    if (!isIP(target.hostname.replace(/^\[|\]$/g, '')) && isSpecialUseName(target.hostname)) {
      return { outcome: 'refused', detail: 'the sender named an address that is not public' };
    }
    let answer: { status: number; location: string | undefined };
    try {
      answer = await post(target, deadline, resolve, allowLoopback, options.ca);
    } catch (error) {
      if (error instanceof Refused) {
        return { outcome: 'refused', detail: 'the sender named an address that is not public' };
      }
      if (Date.now() >= deadline) {
        return { outcome: 'timeout', detail: 'the sender did not answer in time' };
      }
      return { outcome: 'failed', detail: 'the sender could not be reached' };
    }
    if (answer.status >= 300 && answer.status < 400 && answer.location) {
      if (!URL.canParse(answer.location, target.href)) {
        return { outcome: 'failed', detail: 'the sender answered with a broken redirect' };
      }
      target = new URL(answer.location, target);
      continue;
    }
    if (answer.status >= 200 && answer.status < 300) {
      return { outcome: 'unsubscribed', detail: 'the sender accepted the request' };
    }
    return { outcome: 'failed', detail: `the sender answered with status ${answer.status}` };
  }
  return { outcome: 'failed', detail: 'the sender redirected too many times' };
}

function post(
  target: URL,
  deadline: number,
  resolve: NonNullable<OneClickOptions['resolve']>,
  allowLoopback: boolean,
  ca: string | undefined,
): Promise<{ status: number; location: string | undefined }> {
  const host = target.hostname.replace(/^\[|\]$/g, '');
  if (isIP(host) && !isAllowedAddress(host, allowLoopback)) return Promise.reject(new Refused());
  const lookup: LookupFunction = (hostname, lookupOptions, callback) => {
    resolve(hostname).then(
      (addresses) => {
        const allowed = addresses.filter((a) => isAllowedAddress(a.address, allowLoopback));
        // Any private answer refuses the name: a name that points inside is not a sender's.
        if (allowed.length === 0 || allowed.length !== addresses.length) {
          return callback(new Refused(), '', 4);
        }
        if (lookupOptions.all)
          return callback(
            null,
            allowed.map((a) => ({ ...a })),
          );
        return callback(null, allowed[0]!.address, allowed[0]!.family);
      },
      (error: Error) => callback(error as NodeJS.ErrnoException, '', 4),
    );
  };
  const body = 'List-Unsubscribe=One-Click';
  return new Promise((done, fail) => {
    const remaining = Math.max(1, deadline - Date.now());
    const req = request(
      target,
      {
        method: 'POST',
        agent: false,
        lookup,
        ...(ca ? { ca } : {}),
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          'content-length': String(Buffer.byteLength(body)),
          'user-agent': 'CleanThatUp-unsubscribe',
        },
        signal: AbortSignal.timeout(remaining),
      },
      (res) => {
        res.resume();
        res.on('end', () => done({ status: res.statusCode ?? 0, location: res.headers.location }));
        res.on('error', fail);
      },
    );
    req.on('error', (error) => {
      const cause = (error as { cause?: unknown }).cause;
      fail(error instanceof Refused || cause instanceof Refused ? new Refused() : error);
    });
    req.end(body);
  });
}
