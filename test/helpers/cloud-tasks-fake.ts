import { randomUUID } from 'node:crypto';
import { CloudTasksClient } from '@google-cloud/tasks';
import { status } from '@grpc/grpc-js';
import { grpcError, loadService, localClientOptions, serveGrpc, unary } from './grpc-server.js';

/**
 * Cloud Tasks as a local gRPC server: it records every CreateTask request, refuses a task name
 * it has seen (ALREADY_EXISTS), and, once told how to sign OIDC tokens, dispatches each task
 * as Cloud Tasks does: an HTTP request to its url at its schedule time, with a Bearer token for
 * its service account and audience, retried with backoff until a 2xx.
 */

export interface ReceivedTask {
  readonly name?: string;
  readonly httpRequest: {
    readonly url: string;
    readonly httpMethod: string;
    readonly headers: Readonly<Record<string, string>>;
    readonly body: Buffer;
    readonly oidcToken?: { readonly serviceAccountEmail: string; readonly audience: string };
  };
  readonly scheduleTime?: { readonly seconds: string; readonly nanos: number };
  readonly dispatchDeadline?: { readonly seconds: string; readonly nanos: number };
}

export interface CreateTaskRequest {
  readonly parent: string;
  readonly task: ReceivedTask;
}

export interface DispatchOptions {
  /** Mints the OIDC token Google would attach for this service account and audience. */
  readonly sign: (claims: { audience: string; email: string }) => string;
  readonly maxConcurrent?: number;
  readonly maxAttempts?: number;
  /** First retry delay; doubles per attempt; Retry-After is honoured up to `maxRetryAfterMs`. */
  readonly backoffMs?: number;
  readonly maxRetryAfterMs?: number;
}

export interface Attempt {
  readonly name: string;
  readonly path: string;
  readonly status: number;
}

export interface CloudTasksFake {
  readonly port: number;
  readonly requests: CreateTaskRequest[];
  /** Every delivery attempt and the status it got (0: no answer). */
  readonly attempts: Attempt[];
  client(): CloudTasksClient;
  /** The next `times` CreateTask calls fail with this gRPC status code. */
  failNext(code: status, times?: number): void;
  /** The next `times` CreateTask calls for a task whose url ends with `path` fail with `code`. */
  failNextTo(path: string, code: status, times?: number): void;
  startDispatching(options: DispatchOptions): void;
  /**
   * Resolves once no task is being delivered and none is due within `horizonMs` (by the fake's
   * clock): what was queued has run, and a task left for later (a daily pass) does not hold it.
   */
  idle(horizonMs?: number, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

export interface CloudTasksFakeOptions {
  /**
   * Cloud Tasks' clock, which schedule times are read against: the service's own, when a test
   * moves the service's clock (tasks it schedules "in 10 s" are due 10 s after its now).
   */
  readonly now?: () => number;
}

interface Pending {
  readonly name: string;
  readonly task: ReceivedTask;
  dueAt: number;
  retries: number;
}

export async function startCloudTasksFake(
  options: CloudTasksFakeOptions = {},
): Promise<CloudTasksFake> {
  const now = options.now ?? Date.now;
  const requests: CreateTaskRequest[] = [];
  const attempts: Attempt[] = [];
  const names = new Set<string>();
  const failures: status[] = [];
  const pathFailures: { path: string; code: status }[] = [];
  const waiting: Pending[] = [];
  let dispatch: DispatchOptions | undefined;
  let running = 0;
  let timer: NodeJS.Timeout | undefined;
  let closed = false;

  const pump = () => {
    clearTimeout(timer);
    if (!dispatch || closed) return;
    const at = now();
    waiting.sort((a, b) => a.dueAt - b.dueAt);
    while (running < (dispatch.maxConcurrent ?? 10) && waiting[0] && waiting[0].dueAt <= at) {
      void deliver(waiting.shift()!, dispatch);
    }
    if (waiting[0]) timer = setTimeout(pump, Math.max(5, waiting[0].dueAt - at));
  };

  const deliver = async (pending: Pending, options: DispatchOptions) => {
    running++;
    const { httpRequest } = pending.task;
    const token = httpRequest.oidcToken;
    const deadline = Number(pending.task.dispatchDeadline?.seconds ?? 600) * 1000;
    let answer = 0;
    let retryAfterMs = 0;
    try {
      const response = await fetch(httpRequest.url, {
        method: httpRequest.httpMethod,
        headers: {
          ...httpRequest.headers,
          'x-cloudtasks-taskname': pending.name.split('/').pop()!,
          'x-cloudtasks-taskretrycount': String(pending.retries),
          ...(token
            ? {
                authorization: `Bearer ${options.sign({ audience: token.audience, email: token.serviceAccountEmail })}`,
              }
            : {}),
        },
        body: new Uint8Array(httpRequest.body),
        signal: AbortSignal.timeout(deadline),
      });
      answer = response.status;
      retryAfterMs = Number(response.headers.get('retry-after') ?? 0) * 1000;
      await response.body?.cancel();
    } catch {
      answer = 0;
    }
    running--;
    attempts.push({ name: pending.name, path: new URL(httpRequest.url).pathname, status: answer });
    const done = answer >= 200 && answer < 300;
    if (!done && pending.retries + 1 < (options.maxAttempts ?? 10)) {
      const backoff = (options.backoffMs ?? 100) * 2 ** pending.retries;
      const wait = Math.max(backoff, Math.min(retryAfterMs, options.maxRetryAfterMs ?? 1_000));
      waiting.push({ ...pending, dueAt: now() + wait, retries: pending.retries + 1 });
    }
    pump();
  };

  const service = loadService(
    '@google-cloud/tasks',
    'google/cloud/tasks/v2/cloudtasks.proto',
    'google.cloud.tasks.v2.CloudTasks',
  );
  const server = await serveGrpc(service, {
    CreateTask: unary((request: CreateTaskRequest) => {
      requests.push(request);
      const byPath = pathFailures.findIndex((f) => request.task.httpRequest.url.endsWith(f.path));
      const failure = byPath >= 0 ? pathFailures.splice(byPath, 1)[0]!.code : failures.shift();
      if (failure !== undefined) throw grpcError(failure, 'injected failure');
      const name = request.task.name || `${request.parent}/tasks/${randomUUID()}`;
      if (names.has(name))
        throw grpcError(status.ALREADY_EXISTS, 'Requested entity already exists');
      names.add(name);
      const at = request.task.scheduleTime;
      const dueAt = at ? Number(at.seconds) * 1000 + Math.floor(at.nanos / 1e6) : now();
      waiting.push({ name, task: request.task, dueAt, retries: 0 });
      pump();
      return { ...request.task, name, dispatchCount: 0 };
    }),
  });

  return {
    port: server.port,
    requests,
    attempts,
    client: () => new CloudTasksClient(localClientOptions(server.port)),
    failNext: (code, times = 1) => {
      for (let i = 0; i < times; i++) failures.push(code);
    },
    failNextTo: (path, code, times = 1) => {
      for (let i = 0; i < times; i++) pathFailures.push({ path, code });
    },
    startDispatching: (options) => {
      dispatch = options;
      pump();
    },
    idle: async (horizonMs = 0, timeoutMs = 60_000) => {
      const deadline = Date.now() + timeoutMs;
      const busy = () => running > 0 || waiting.some((p) => p.dueAt <= now() + horizonMs);
      while (busy()) {
        if (Date.now() > deadline) throw new Error('Cloud Tasks did not go idle');
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    },
    close: async () => {
      closed = true;
      clearTimeout(timer);
      await server.close();
    },
  };
}
