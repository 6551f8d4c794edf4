import { STAR_MARKER_IDS, SYSTEM_LABEL_IDS } from '../../src/domain/message.js';
import type { SimMessage } from '../../src/local/google/sim-types.js';
import type { HttpClient } from './http-client.js';

/**
 * What a tester outside the project can know and check: the mailbox it gave its stand-in
 * Google, and what the service's contract (`GET /api/runs/{id}`) says. Nothing here reads the
 * service's store or calls its code.
 */

export type RunJson = {
  readonly id: string;
  readonly kind: string;
  readonly status: string;
  readonly total: number;
  readonly processed: number;
  readonly remaining: number;
  readonly trashed: number;
  readonly bytesTrashed: number;
  readonly protected: number;
  readonly failed: number;
  readonly errors: readonly { at: string; message: string }[];
  readonly [key: string]: unknown;
};

/** A message the protection rules cover by its own labels or snooze. */
function marks(m: SimMessage): boolean {
  return (
    m.snoozed === true ||
    m.labelIds.some(
      (id) =>
        id === 'STARRED' ||
        id === 'SENT' ||
        id === 'DRAFT' ||
        id === 'CHAT' ||
        STAR_MARKER_IDS.has(id) ||
        !SYSTEM_LABEL_IDS.has(id),
    )
  );
}

/**
 * The ids the protection rules cover, conversation-wide: every message of a thread holding a
 * starred (any star or marker), sent, draft, chat, snoozed or user-labelled message, wherever
 * that message is now (a reply the owner later deleted still shows they answered).
 */
export function protectedIds(messages: readonly SimMessage[]): Set<string> {
  const threads = new Set(messages.filter(marks).map((m) => m.threadId));
  return new Set(messages.filter((m) => threads.has(m.threadId)).map((m) => m.id));
}

/** Outside Spam and Trash: what a full scan covers. */
export function inScope(messages: readonly SimMessage[]): SimMessage[] {
  return messages.filter((m) => !m.labelIds.includes('SPAM') && !m.labelIds.includes('TRASH'));
}

/** A copy that later label changes of the simulator do not reach. */
export function snapshot(messages: Iterable<SimMessage>): SimMessage[] {
  return [...messages].map((m) => ({ ...m, labelIds: [...m.labelIds] }));
}

/** Polls `GET /api/runs/{id}` until the run reaches one of `statuses`. */
export async function waitForRun(
  client: HttpClient,
  runId: string,
  statuses: readonly string[] = ['DONE', 'FAILED', 'CANCELLED', 'REVIEW'],
  until: (run: RunJson) => boolean = () => true,
  timeoutMs = 60_000,
): Promise<RunJson> {
  const deadline = Date.now() + timeoutMs;
  let last: RunJson | undefined;
  while (Date.now() < deadline) {
    const response = await client.get(`/api/runs/${runId}`);
    last = (await response.json()) as RunJson;
    if (statuses.includes(last.status) && until(last)) return last;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`run ${runId} stuck: ${JSON.stringify(last)}`);
}

/** The run id a `POST /app/runs` redirect names. */
export function runIdOf(response: Response): string {
  const location = response.headers.get('location') ?? '';
  const id = location.replace('/runs/', '');
  if (!/^[A-Za-z0-9_-]{22}$/.test(id)) throw new Error(`no run in ${response.status} ${location}`);
  return id;
}
