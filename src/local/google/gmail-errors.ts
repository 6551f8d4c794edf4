/**
 * Google API error bodies, in the shape googleapis clients parse into GaxiosError:
 * `{ error: { code, message, errors: [{ message, domain, reason }], status } }`.
 */

const STATUS_NAMES: Record<number, string> = {
  400: 'INVALID_ARGUMENT',
  401: 'UNAUTHENTICATED',
  403: 'PERMISSION_DENIED',
  404: 'NOT_FOUND',
  409: 'ABORTED',
  429: 'RESOURCE_EXHAUSTED',
  500: 'INTERNAL',
  502: 'UNAVAILABLE',
  503: 'UNAVAILABLE',
};

export interface GoogleErrorBody {
  readonly error: {
    readonly code: number;
    readonly message: string;
    readonly errors: readonly { message: string; domain: string; reason: string }[];
    readonly status: string;
  };
}

export class GoogleApiError extends Error {
  constructor(
    readonly code: number,
    message: string,
    readonly reason: string,
    readonly domain = 'global',
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
  }

  body(): GoogleErrorBody {
    return {
      error: {
        code: this.code,
        message: this.message,
        errors: [{ message: this.message, domain: this.domain, reason: this.reason }],
        status: STATUS_NAMES[this.code] ?? 'UNKNOWN',
      },
    };
  }

  toResponse(): Response {
    return new Response(JSON.stringify(this.body()), {
      status: this.code,
      headers: { 'content-type': 'application/json; charset=UTF-8', ...this.headers },
    });
  }
}

export const gmailErrors = {
  invalidCredentials: () =>
    new GoogleApiError(
      401,
      'Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.',
      'authError',
      'global',
      { 'www-authenticate': 'Bearer realm="https://accounts.google.com/", error="invalid_token"' },
    ),
  insufficientScope: () =>
    new GoogleApiError(
      403,
      'Request had insufficient authentication scopes.',
      'insufficientPermissions',
    ),
  delegationDenied: (userId: string) =>
    new GoogleApiError(403, `Delegation denied for ${userId}`, 'forbidden'),
  notFound: () => new GoogleApiError(404, 'Requested entity was not found.', 'notFound'),
  invalidArgument: (message: string) => new GoogleApiError(400, message, 'invalidArgument'),
  failedPrecondition: (message: string) => new GoogleApiError(400, message, 'failedPrecondition'),
  userRateLimit: (retryAfterSeconds: number, retryAt: Date, status: 429 | 403) =>
    new GoogleApiError(
      status,
      `User-rate limit exceeded.  Retry after ${retryAt.toISOString()}`,
      status === 429 ? 'rateLimitExceeded' : 'userRateLimitExceeded',
      'usageLimits',
      { 'retry-after': String(retryAfterSeconds) },
    ),
  projectRateLimit: (retryAfterSeconds: number) =>
    new GoogleApiError(
      429,
      "Quota exceeded for quota metric 'Queries' and limit 'Queries per minute' of service 'gmail.googleapis.com'.",
      'rateLimitExceeded',
      'usageLimits',
      { 'retry-after': String(retryAfterSeconds) },
    ),
  tooManyConcurrent: () =>
    new GoogleApiError(
      429,
      'Too many concurrent requests for user',
      'rateLimitExceeded',
      'usageLimits',
    ),
  backendError: (code: 500 | 502 | 503) =>
    new GoogleApiError(
      code,
      code === 500 ? 'Backend Error' : 'The service is currently unavailable.',
      code === 500 ? 'backendError' : 'backendError',
    ),
};
