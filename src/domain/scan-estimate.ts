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
