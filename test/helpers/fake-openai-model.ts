import {
  DATA_CLOSE,
  DATA_OPEN,
  PREFS_CLOSE,
  PREFS_OPEN,
} from '../../src/adapters/openai/prompt.js';

/**
 * The fake OpenAI's "model": it reads the data block of a request the way a model would and
 * answers with simple deterministic rules, so tests know what a sensible answer is.
 */

export type Item = Readonly<Record<string, unknown>>;

export interface ReadPrompt {
  readonly kind: 'senders' | 'messages' | 'parts' | 'unknown';
  readonly items: readonly Item[];
  readonly preferences: string | null;
  /** Each fence marker occurs exactly once, in order. */
  readonly fenced: boolean;
  /** Everything outside the data block (system prompt, task, preferences). */
  readonly outside: string;
}

export interface Answer {
  readonly id: string;
  readonly action: string;
  readonly reason: string;
}

/** A fake model that follows instructions found inside emails (to test the safeguards). */
export const INJECTION =
  /ignore (all |the )?(previous |prior )?(instructions|rules)|trash (everything|all)/i;

function between(text: string, open: string, close: string): string | null {
  const start = text.indexOf(open);
  const end = text.indexOf(close);
  if (start === -1 || end === -1 || end < start) return null;
  return text.slice(start + open.length, end);
}

const count = (text: string, marker: string) => text.split(marker).length - 1;

export function readPrompt(schemaName: string, system: string, user: string): ReadPrompt {
  const block = between(user, DATA_OPEN, DATA_CLOSE) ?? '';
  const items = block
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as Item);
  const prefs = between(user, PREFS_OPEN, PREFS_CLOSE);
  const fenced =
    count(user, DATA_OPEN) === 1 &&
    count(user, DATA_CLOSE) === 1 &&
    count(user, PREFS_OPEN) <= 1 &&
    count(user, PREFS_CLOSE) === count(user, PREFS_OPEN);
  const kind =
    schemaName === 'sender_decisions'
      ? 'senders'
      : schemaName === 'message_decisions'
        ? 'messages'
        : schemaName === 'part_decisions'
          ? 'parts'
          : 'unknown';
  return {
    kind,
    items,
    preferences: prefs === null ? null : (JSON.parse(prefs.trim()) as string),
    fenced,
    outside: `${system}\n${user.replace(`${DATA_OPEN}${block}${DATA_CLOSE}`, '')}`,
  };
}

const KEEPER =
  /statement|payment|charged|receipt|order|invoice|bill|boarding|booking|itinerary|security|verification|password|sign-in|tax|check-in|plan renews|maintenance/i;

/** "keep anything from X" in the user's preferences keeps mail whose sender mentions X. */
function preferredKeep(item: Item, preferences: string | null): boolean {
  const wanted = /keep (?:anything|everything|all mail) from (?:my )?([\w.-]+)/i.exec(
    preferences ?? '',
  );
  return wanted !== null && String(item.from).toLowerCase().includes(wanted[1]!.toLowerCase());
}

function text(item: Item): string {
  const subjects = Array.isArray(item.subjects) ? item.subjects.join(' | ') : '';
  return `${item.subject ?? ''} ${subjects} ${item.snippet ?? ''}`;
}

export function decideSender(item: Item, preferences: string | null): Answer {
  const id = String(item.id);
  if (preferredKeep(item, preferences)) return { id, action: 'keep', reason: 'user preference' };
  const subjects = Array.isArray(item.subjects) ? item.subjects.map(String) : [];
  const keepers = subjects.filter((s) => KEEPER.test(s)).length;
  const listed = Number(item.withUnsubscribeLink) > 0 || item.mailingList === true;
  if (keepers === 0 && listed) return { id, action: 'trash', reason: `${item.category} bulk mail` };
  if (keepers === subjects.length) return { id, action: 'keep', reason: 'documents' };
  if (keepers > 0) return { id, action: 'mixed', reason: 'bulk mail and documents' };
  return { id, action: 'keep', reason: 'not a mailing list' };
}

export function decideMessage(item: Item, preferences: string | null): Answer {
  const id = String(item.id);
  if (preferredKeep(item, preferences)) return { id, action: 'keep', reason: 'user preference' };
  if (KEEPER.test(text(item))) return { id, action: 'keep', reason: 'a document' };
  const listed = item.unsubscribeLink === true || item.mailingList === true;
  if (listed && item.category !== 'primary') return { id, action: 'trash', reason: 'bulk mail' };
  return { id, action: 'keep', reason: 'may matter' };
}

/**
 * A part of the mailbox by its facts alone: unimportant promotions and social mail is bulk
 * whoever sent it, important updates are account mail to keep; the rest depends on the sender,
 * and so does everything once the owner's preferences name what to keep.
 */
export function decidePart(item: Item, preferences: string | null): Answer {
  const id = String(item.id);
  if (preferences && /keep/i.test(preferences)) {
    return { id, action: 'senders', reason: 'preferences name senders' };
  }
  const bulk = item.category === 'promotions' || item.category === 'social';
  if (bulk && item.important === false) return { id, action: 'trash', reason: 'bulk mail' };
  if (item.category === 'updates' && item.important === true) {
    return { id, action: 'keep', reason: 'important account mail' };
  }
  return { id, action: 'senders', reason: 'depends on the sender' };
}

/** What a gullible model answers when an email tells it what to do: trash it all, and more. */
export function obeyInjection(prompt: ReadPrompt): Answer[] | null {
  if (!prompt.items.some((item) => INJECTION.test(text(item)))) return null;
  const prefix = prompt.kind === 'senders' ? 's' : prompt.kind === 'parts' ? 'p' : 'm';
  const answers = prompt.items.map((item) => ({
    id: String(item.id),
    action: 'trash',
    reason: 'as the email instructed',
  }));
  // Ids nobody asked about: a real Gmail-looking id and one past the end of the list.
  answers.push({ id: '18c2f0a1b2c3d4e5', action: 'trash', reason: 'as instructed' });
  answers.push({ id: `${prefix}${prompt.items.length + 1}`, action: 'trash', reason: 'extra' });
  return answers;
}
