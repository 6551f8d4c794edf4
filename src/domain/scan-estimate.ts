import type { GmailUnitTable } from './gmail-quota.js';

/** Ids per `messages.list` page: listing costs its units once per page. */
const LIST_PAGE = 500;

export interface ScanEstimate {
  readonly messages: number;
  /** Quota units one message costs to read (metadata) plus its share of the listing. */
  readonly unitsPerMessage: number;
  readonly userUnitsPerMinute: number;
  /** Messages a minute the per-user quota allows at most. */
  readonly messagesPerMinute: number;
  /** Minutes to read every message under the quota: the most a scan should take. */
  readonly minutes: number;
}

/**
 * How long a full scan of `messages` takes when every message's metadata is read once
 * (`messages.get` units each) under the per-user budget: the message-by-message scan's floor,
 * and about the most the scan by sender takes, which reads only samples where it can.
 */
export function estimateScan(
  messages: number,
  units: GmailUnitTable,
  userUnitsPerMinute: number,
): ScanEstimate {
  const unitsPerMessage = units['users.messages.get'] + units['users.messages.list'] / LIST_PAGE;
  const messagesPerMinute = userUnitsPerMinute / unitsPerMessage;
  return {
    messages,
    unitsPerMessage,
    userUnitsPerMinute,
    messagesPerMinute,
    minutes: messages / messagesPerMinute,
  };
}

/**
 * The most units a scan by sender was measured to spend per message (10,000-message
 * long-tail mailbox, `test/scan-by-sender.test.ts`; head-heavy mailboxes spend 0.5).
 */
const BY_SENDER_UNITS_PER_MESSAGE = 2.5;
/** Listings every scan makes whatever its size: labels, marks, size buckets, partitions. */
const FIXED_LISTINGS = 100;

/**
 * The Gmail units a full scan of `messages` is expected to spend, on the high side: what it
 * promises of the day's project budget before it starts. By message, every message is read
 * and trashed in shared batchModify calls; by sender, the most measured per message.
 */
export function estimateScanUnits(
  messages: number,
  strategy: 'by-sender' | 'by-message',
  units: GmailUnitTable,
): number {
  const fixed = FIXED_LISTINGS * units['users.messages.list'];
  const perMessage =
    strategy === 'by-message'
      ? units['users.messages.get'] +
        (units['users.messages.list'] + units['users.messages.batchModify']) / LIST_PAGE
      : (BY_SENDER_UNITS_PER_MESSAGE * units['users.messages.get']) / 20;
  return Math.ceil(fixed + messages * perMessage);
}
