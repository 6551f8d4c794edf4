import { randomInt } from 'node:crypto';
import { labelsOf } from './gmail-history-routes.js';
import type { HistoryRecord, SimAccount } from './sim-account.js';

/** Where Gmail's notifications for a topic go. */
export type NotificationSink =
  /** A Pub/Sub push delivery: the envelope is POSTed to `url`, as a push subscription would. */
  | { readonly kind: 'push'; readonly url: string; readonly subscription?: string }
  /** Published to the watched topic on the Pub/Sub emulator's REST API (`host` is HOST:PORT). */
  | { readonly kind: 'pubsub-emulator'; readonly host: string }
  /** Handed to a function, for in-process tests. */
  | { readonly kind: 'function'; readonly deliver: (n: GmailNotification) => void | Promise<void> };

export interface GmailNotification {
  readonly emailAddress: string;
  readonly historyId: number;
}

export interface NotifierCounters {
  sent: number;
  /** Gmail sends at most one notification a second per user and drops the rest. */
  dropped: number;
  failed: number;
}

/**
 * Publishes `{emailAddress, historyId}` for watched accounts after each change, like Gmail:
 * filtered by the watch's labels, at most one per `minIntervalMs` per user, best effort.
 */
export class SimNotifier {
  readonly counters: NotifierCounters = { sent: 0, dropped: 0, failed: 0 };
  private readonly sinks = new Map<string, NotificationSink>();
  private readonly lastSent = new Map<string, number>();
  private readonly pending = new Set<Promise<void>>();

  constructor(
    private readonly now: () => number,
    private readonly minIntervalMs = 1_000,
  ) {}

  /** Declares a topic (so watch accepts it) and where its messages go. */
  setTopic(topic: string, sink: NotificationSink): void {
    this.sinks.set(topic, sink);
  }

  hasTopic(topic: string): boolean {
    return this.sinks.has(topic);
  }

  changed(account: SimAccount, record: HistoryRecord): void {
    const watch = account.watch;
    if (!watch || watch.expiration <= this.now()) return;
    if (watch.labelIds.length > 0) {
      const touched = labelsOf(record).some((id) => watch.labelIds.includes(id));
      if (touched !== (watch.labelFilterBehavior === 'include')) return;
    }
    const sink = this.sinks.get(watch.topicName);
    if (!sink) return;
    const at = this.now();
    const last = this.lastSent.get(account.email);
    if (last !== undefined && at - last < this.minIntervalMs) {
      this.counters.dropped++;
      return;
    }
    this.lastSent.set(account.email, at);
    const notification = { emailAddress: account.email, historyId: account.historyId };
    const delivery = this.deliver(sink, watch.topicName, notification)
      .then(() => void this.counters.sent++)
      .catch(() => void this.counters.failed++)
      .finally(() => this.pending.delete(delivery));
    this.pending.add(delivery);
  }

  /** Resolves when every notification sent so far has been delivered or has failed. */
  async idle(): Promise<void> {
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
  }

  private async deliver(sink: NotificationSink, topic: string, n: GmailNotification) {
    const data = Buffer.from(JSON.stringify(n)).toString('base64');
    if (sink.kind === 'function') return sink.deliver(n);
    if (sink.kind === 'pubsub-emulator') {
      const response = await fetch(`http://${sink.host}/v1/${topic}:publish`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ messages: [{ data }] }),
      });
      if (!response.ok) throw new Error(`publish answered ${response.status}`);
      return;
    }
    const messageId = String(randomInt(1e9, 2 ** 47));
    const publishTime = new Date(this.now()).toISOString();
    const response = await fetch(sink.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        message: { data, messageId, message_id: messageId, publishTime, publish_time: publishTime },
        subscription: sink.subscription ?? 'projects/simulated/subscriptions/gmail-push',
      }),
    });
    if (!response.ok) throw new Error(`push endpoint answered ${response.status}`);
  }
}
