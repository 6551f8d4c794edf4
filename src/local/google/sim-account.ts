import type { SearchContext, SimLabel, SimMessage } from './sim-types.js';
import { SYSTEM_LABELS } from './sim-types.js';

/** One change, as Gmail's history.list reports it. */
export type HistoryChange =
  | { readonly type: 'messageAdded'; readonly message: SimMessage }
  | { readonly type: 'messageDeleted'; readonly message: SimMessage }
  | { readonly type: 'labelAdded'; readonly message: SimMessage; readonly labelIds: string[] }
  | { readonly type: 'labelRemoved'; readonly message: SimMessage; readonly labelIds: string[] };

export interface HistoryRecord {
  readonly id: number;
  readonly change: HistoryChange;
  /** The message's labels right after the change, for labelId filtering and wire output. */
  readonly labelIdsAfter: readonly string[];
}

export interface WatchState {
  readonly topicName: string;
  readonly labelIds: readonly string[];
  readonly labelFilterBehavior: 'include' | 'exclude';
  readonly expiration: number;
}

export interface ListPosition {
  readonly internalDate: number;
  readonly id: string;
}

type Listener = (account: SimAccount, record: HistoryRecord) => void;

/**
 * One simulated Gmail user: messages in Gmail's list order (newest first), labels, and the
 * history log. Every mutation moves the history id forward and appends a record, the way
 * Gmail's own changes (the service's trashing included) show up in history.list.
 */
export class SimAccount {
  readonly labels = new Map<string, SimLabel>();
  private readonly byId = new Map<string, SimMessage>();
  /** Newest first: internalDate desc, then id desc. */
  private readonly order: SimMessage[];
  private readonly history: HistoryRecord[] = [];
  private readonly listeners: Listener[] = [];
  historyId: number;
  /** history.list with a start id below this answers 404 (expired). */
  historyFloor: number;
  watch: WatchState | undefined;

  constructor(
    readonly email: string,
    readonly sub: string,
    mailbox: {
      messages: SimMessage[];
      userLabels: readonly SimLabel[];
      markerLabels?: readonly SimLabel[] | undefined;
    },
    startHistoryId = 100_000,
  ) {
    const labels = [...SYSTEM_LABELS, ...(mailbox.markerLabels ?? []), ...mailbox.userLabels];
    for (const label of labels) this.labels.set(label.id, label);
    this.historyId = startHistoryId;
    this.historyFloor = startHistoryId;
    this.order = [...mailbox.messages].sort(compareNewestFirst);
    for (const message of this.order) {
      message.historyId = startHistoryId;
      this.byId.set(message.id, message);
    }
  }

  get messageCount(): number {
    return this.byId.size;
  }

  get threadCount(): number {
    return new Set(Array.from(this.byId.values(), (m) => m.threadId)).size;
  }

  message(id: string): SimMessage | undefined {
    return this.byId.get(id);
  }

  /** Messages from a position (exclusive) onwards, in list order. */
  *messagesAfter(position: ListPosition | undefined): Generator<SimMessage> {
    let start = 0;
    if (position) {
      // Binary search for the first message strictly after the position in list order.
      let lo = 0;
      let hi = this.order.length;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (compareNewestFirst(this.order[mid]!, position) <= 0) lo = mid + 1;
        else hi = mid;
      }
      start = lo;
    }
    for (let i = start; i < this.order.length; i++) yield this.order[i]!;
  }

  /** What a search query is evaluated against; lookups are cached for one query's scan. */
  searchContext(now: number): SearchContext {
    const cache = new Map<string, string | undefined>();
    return {
      now,
      isUserLabel: (id) => this.labels.get(id)?.type === 'user',
      labelIdByName: (name) => {
        const wanted = name.toLowerCase();
        if (cache.has(wanted)) return cache.get(wanted);
        let found: string | undefined;
        for (const label of this.labels.values()) {
          const candidates = [label.id, label.name, label.name.replace(/[/ ]/g, '-')];
          if (candidates.some((c) => c.toLowerCase() === wanted)) found = label.id;
        }
        cache.set(wanted, found);
        return found;
      },
    };
  }

  onChange(listener: Listener): void {
    this.listeners.push(listener);
  }

  /** A new message arrives (or is sent): history messageAdded. */
  insert(message: SimMessage): void {
    if (this.byId.has(message.id)) throw new Error(`message ${message.id} exists`);
    this.byId.set(message.id, message);
    const at = this.order.findIndex((m) => compareNewestFirst(m, message) > 0);
    this.order.splice(at === -1 ? this.order.length : at, 0, message);
    this.record({ type: 'messageAdded', message });
  }

  /** Adds and removes labels; records only what actually changed. */
  modify(message: SimMessage, add: readonly string[], remove: readonly string[]): void {
    const added = add.filter((id) => !message.labelIds.includes(id));
    const removed = remove.filter((id) => message.labelIds.includes(id) && !add.includes(id));
    if (added.length === 0 && removed.length === 0) return;
    message.labelIds = [...message.labelIds.filter((id) => !removed.includes(id)), ...added];
    if (added.includes('TRASH') || added.includes('SPAM')) {
      // Gmail drops INBOX when a message moves to Trash or Spam, and restores nothing on untrash.
      message.labelIds = message.labelIds.filter((id) => id !== 'INBOX');
    }
    if (added.length > 0) this.record({ type: 'labelAdded', message, labelIds: added });
    if (removed.length > 0) this.record({ type: 'labelRemoved', message, labelIds: removed });
  }

  /**
   * The person snoozes a conversation: Gmail takes the whole of it out of the Inbox (history
   * shows INBOX removed) and only `in:snoozed` finds it; the API has no label for the state.
   */
  snooze(threadId: string): void {
    for (const message of this.byId.values()) {
      if (message.threadId !== threadId) continue;
      this.modify(message, [], ['INBOX']);
      message.snoozed = true;
    }
  }

  /** Permanent deletion: history messageDeleted. */
  delete(message: SimMessage): void {
    if (!this.byId.delete(message.id)) return;
    const at = this.order.indexOf(message);
    if (at !== -1) this.order.splice(at, 1);
    this.record({ type: 'messageDeleted', message });
  }

  /** Records after `startHistoryId`, or undefined when that id is older than history keeps. */
  historySince(startHistoryId: number): readonly HistoryRecord[] | undefined {
    if (startHistoryId < this.historyFloor) return undefined;
    let lo = 0;
    let hi = this.history.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.history[mid]!.id <= startHistoryId) lo = mid + 1;
      else hi = mid;
    }
    return this.history.slice(lo);
  }

  /** Makes every earlier history id expired, as Gmail does after about a week. */
  expireHistory(): void {
    this.historyFloor = this.historyId;
    this.history.length = 0;
  }

  private record(change: HistoryChange): void {
    // History ids grow but are not contiguous.
    this.historyId += 1 + (this.historyId % 3);
    change.message.historyId = this.historyId;
    const record = { id: this.historyId, change, labelIdsAfter: [...change.message.labelIds] };
    this.history.push(record);
    for (const listener of this.listeners) listener(this, record);
  }
}

function compareNewestFirst(a: ListPosition, b: ListPosition): number {
  if (a.internalDate !== b.internalDate) return b.internalDate - a.internalDate;
  return a.id < b.id ? 1 : a.id > b.id ? -1 : 0;
}
