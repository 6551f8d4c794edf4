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
  /** The least time the quota allows, in minutes; real scans take longer, never less. */
  readonly minutes: number;
}

/**
 * How long a full scan of `messages` takes at the least: every message's metadata is read
 * once (`messages.get` units each, in multipart batches) under the per-user budget. The LLM,
 * retries and trashing add to it, so this is a floor, and the page says it is an estimate.
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
