import type { SenderDecision } from '../domain/model.js';
import type { Store } from '../domain/ports.js';
import type { ConversationMark } from '../domain/protection.js';

/** A Store for one batch's decisions, and how its buffered writes reach the real one. */
export interface BatchMemory {
  readonly store: Store;
  /** Writes the sender decisions remembered while deciding, in one call (none: no call). */
  save(): Promise<void>;
}

/**
 * One user's memory as a packed batch sees it while its parts are decided side by side: the
 * marks of the conversations the plan names and the decisions of its senders are read once for
 * the whole batch, not once per part, and the sender decisions the parts remember are written
 * once when the batch is decided. Marks do not change while a batch is decided (only listings
 * and the check before Trash add them); thread ids the plan did not name (mail read one by one)
 * are read when asked for and kept. Sender decisions, found or not, are read once: the batch's
 * classifier calls read and cache them through this memory (ClassifyInput.senders), so nothing
 * of this batch decides a sender behind its back. Everything else goes straight to `store`.
 */
export async function batchMemory(
  store: Store,
  userId: string,
  threadIds: readonly string[],
  senderKeys: readonly string[],
  /**
   * The marks of `threadIds` as the plan saved them with the batch: given, those conversations
   * are not read again (what was marked since is the check before Trash's to find).
   */
  planned?: Readonly<Record<string, ConversationMark>>,
): Promise<BatchMemory> {
  const marks = new Map<string, ConversationMark | null>();
  if (planned) for (const id of threadIds) marks.set(id, planned[id] ?? null);
  // null: read and not found (a person, or a sender not decided yet).
  const senders = new Map<string, SenderDecision | null>();
  const pending = new Map<string, SenderDecision>();

  const readMarks = async (ids: readonly string[]) => {
    const wanted = [...new Set(ids)].filter((id) => !marks.has(id));
    if (wanted.length === 0) return;
    const found = await store.markedThreads(userId, wanted);
    for (const id of wanted) marks.set(id, found.get(id) ?? null);
  };
  const readSenders = async (keys: readonly string[]) => {
    const wanted = [...new Set(keys)].filter((key) => !senders.has(key));
    if (wanted.length === 0) return;
    const found = await store.getSenderDecisions(userId, wanted);
    for (const key of wanted) senders.set(key, found.get(key) ?? null);
  };
  await Promise.all([readMarks(threadIds), readSenders(senderKeys)]);

  const own = (id: string) => id === userId;
  const overrides: Partial<Store> = {
    async markedThreads(user, ids) {
      if (!own(user)) return store.markedThreads(user, ids);
      await readMarks(ids);
      const found = new Map<string, ConversationMark>();
      for (const id of ids) {
        const mark = marks.get(id);
        if (mark) found.set(id, mark);
      }
      return found;
    },
    async getSenderDecisions(user, keys) {
      if (!own(user)) return store.getSenderDecisions(user, keys);
      await readSenders(keys);
      const found = new Map<string, SenderDecision>();
      for (const key of keys) {
        const decision = senders.get(key);
        if (decision) found.set(key, decision);
      }
      return found;
    },
    async putSenderDecisions(user, decisions) {
      if (!own(user)) return store.putSenderDecisions(user, decisions);
      for (const decision of decisions) {
        senders.set(decision.senderKey, decision);
        pending.set(decision.senderKey, decision);
      }
    },
  };
  const view = new Proxy(store, {
    get(target, property, receiver) {
      if (typeof property === 'string' && property in overrides) {
        return overrides[property as keyof Store];
      }
      const value = Reflect.get(target, property, receiver);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  return {
    store: view,
    async save() {
      if (pending.size === 0) return;
      const decisions = [...pending.values()];
      pending.clear();
      await store.putSenderDecisions(userId, decisions);
    },
  };
}
