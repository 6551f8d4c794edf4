import type { PlannedBatch } from '../domain/model.js';
import type { HistoryPage } from '../domain/ports.js';
import type { Category } from '../domain/scan-partitions.js';

type Added = HistoryPage['added'][number];

const BATCH_SIZE = 500;

const FACT_CATEGORIES: readonly (readonly [string, Category])[] = [
  ['CATEGORY_PROMOTIONS', 'promotions'],
  ['CATEGORY_SOCIAL', 'social'],
  ['CATEGORY_UPDATES', 'updates'],
  ['CATEGORY_FORUMS', 'forums'],
  ['CATEGORY_PERSONAL', 'personal'],
];

/** The category of the scan's partitions a message's Gmail labels put it in. */
export function factsCategory(labelIds: readonly string[]): Category {
  return FACT_CATEGORIES.find(([label]) => labelIds.includes(label))?.[1] ?? 'none';
}

/** Each group in batches of up to 500, with the thread ids its plan carries. */
export function chunked(groups: readonly { ids: readonly Added[]; plan: PlannedBatch['plan'] }[]) {
  const batches: PlannedBatch[] = [];
  let listed = 0;
  for (const { ids, plan } of groups) {
    for (let start = 0; start < ids.length; start += BATCH_SIZE) {
      const chunk = ids.slice(start, start + BATCH_SIZE);
      listed += chunk.length;
      const threadIds = chunk.map((m) => m.threadId);
      batches.push({
        batchNo: batches.length,
        messageIds: chunk.map((m) => m.id),
        nextPageToken: null,
        listedThrough: listed,
        plan: plan && 'threadIds' in plan ? { ...plan, threadIds } : plan,
      });
    }
  }
  return batches;
}
