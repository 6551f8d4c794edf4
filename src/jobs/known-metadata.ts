import type { MessageMeta } from '../domain/message.js';
import type { BatchPlan, RunState, User } from '../domain/model.js';
import { oldBefore } from '../domain/scan-partitions.js';

const CATEGORY_LABELS: Readonly<Record<string, string>> = {
  promotions: 'CATEGORY_PROMOTIONS',
  social: 'CATEGORY_SOCIAL',
  updates: 'CATEGORY_UPDATES',
  forums: 'CATEGORY_FORUMS',
  personal: 'CATEGORY_PERSONAL',
};

/**
 * What the scan by sender knows of a batch's messages without reading them: the labels its
 * part stands for, a date on the right side of the age threshold, the sender's list headers
 * from the samples, and a size from the plan's size buckets (see size-buckets.ts). Sampled
 * messages keep their real metadata. Mail attributed to decided senders (`known`) carries no address: it is never needed to protect it.
 * Undefined when the samples disagree on what the sender sends: then the batch is read.
 */
export function knownMetadata(
  plan: Extract<BatchPlan, { kind: 'facts' | 'sender' | 'known' }>,
  ids: readonly string[],
  run: RunState,
  user: User,
): Map<string, MessageMeta> | undefined {
  const startedAt = run.startedAt ?? run.scheduledAt;
  const { facts } = plan;
  const samples = plan.kind === 'sender' ? plan.samples : [];
  const [first] = samples;
  if (
    first &&
    samples.some((s) => s.listUnsubscribe !== first.listUnsubscribe || s.listId !== first.listId)
  ) {
    return undefined;
  }
  const category = facts.category ? CATEGORY_LABELS[facts.category] : undefined;
  const labelIds = [...(category ? [category] : []), ...(facts.important ? ['IMPORTANT'] : [])];
  const internalDate = facts.old
    ? oldBefore(startedAt, user.policy.minAgeDays) * 1000 - 1
    : startedAt;
  const size =
    samples.length > 0
      ? Math.round(samples.reduce((n, s) => n + s.sizeEstimate, 0) / samples.length)
      : 0;
  const byId = new Map(samples.map((s) => [s.id, s]));
  const known = new Map<string, MessageMeta>();
  ids.forEach((id, i) => {
    known.set(
      id,
      byId.get(id) ?? {
        id,
        threadId: plan.threadIds[i] ?? id,
        labelIds,
        fromAddress: plan.kind === 'sender' ? plan.sender : '',
        fromName: first?.fromName ?? '',
        subject: '',
        snippet: '',
        // The size bucket Gmail search placed it in; the samples' average only for mail
        // listed after the buckets (or planned before they existed).
        sizeEstimate: plan.sizes?.[i] || size,
        internalDate,
        // A sender the rules decided disposable is one whose mail has an unsubscribe link.
        listUnsubscribe:
          first?.listUnsubscribe ?? (plan.kind === 'known' && plan.action === 'trash'),
        listId: first?.listId ?? null,
      },
    );
  });
  return known;
}
