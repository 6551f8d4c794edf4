import type { BatchPlan } from './model.js';

/**
 * The ids of a batch whose recorded size is an estimate: mail a scan by sender decided
 * without reading it (facts, sender and known parts, packed or not), bar the samples it read.
 * Read, protected and unplanned batches know each message's own size.
 */
export function estimatedSizeIds(
  plan: BatchPlan | null | undefined,
  messageIds: readonly string[],
): Set<string> {
  const estimated = new Set<string>();
  const parts = !plan
    ? []
    : plan.kind === 'packed'
      ? plan.parts
      : [{ count: messageIds.length, plan }];
  let start = 0;
  for (const { count, plan: part } of parts) {
    const ids = messageIds.slice(start, start + count);
    start += count;
    if (part.kind !== 'facts' && part.kind !== 'sender' && part.kind !== 'known') continue;
    const sampled = new Set(part.kind === 'sender' ? part.samples.map((s) => s.id) : []);
    for (const id of ids) if (!sampled.has(id)) estimated.add(id);
  }
  return estimated;
}
