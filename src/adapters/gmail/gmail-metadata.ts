import type { gmail_v1 } from '@googleapis/gmail';
import { decodeEncodedWords } from '../../domain/encoded-words.js';
import type { MessageMeta } from '../../domain/message.js';

/** A message as Gmail returns it with format=metadata, turned into what the service keeps. */
export function toMessageMeta(message: gmail_v1.Schema$Message, fallbackId = ''): MessageMeta {
  const headers = message.payload?.headers ?? [];
  const header = (name: string): string | undefined => {
    const wanted = name.toLowerCase();
    return headers.find((h) => h.name?.toLowerCase() === wanted)?.value ?? undefined;
  };
  const from = parseFrom(header('From') ?? '');
  const listId = header('List-Id')?.trim();
  const internalDate = Number(message.internalDate ?? 0);
  return {
    id: message.id ?? fallbackId,
    threadId: message.threadId ?? message.id ?? fallbackId,
    labelIds: message.labelIds ?? [],
    fromAddress: from.address,
    fromName: decodeEncodedWords(from.name),
    subject: decodeEncodedWords(header('Subject') ?? ''),
    snippet: message.snippet ?? '',
    sizeEstimate: message.sizeEstimate ?? 0,
    internalDate: Number.isFinite(internalDate) ? internalDate : 0,
    listUnsubscribe: (header('List-Unsubscribe') ?? '').trim() !== '',
    listId: listId ? listId : null,
  };
}

/**
 * Splits a From header into display name and lowercased address: `"Name" <a@b>`,
 * `Name <a@b>`, `<a@b>`, a bare `a@b`, and the old `a@b (Name)`. No address gives ''.
 */
export function parseFrom(value: string): { name: string; address: string } {
  const text = value.trim();
  const open = text.lastIndexOf('<');
  if (open !== -1 && text.endsWith('>')) {
    const inside = text.slice(open + 1, -1).trim();
    return { name: unquote(text.slice(0, open).trim()), address: addressOrEmpty(inside) };
  }
  const commented = /^(\S+@\S+)\s*\((.*)\)$/.exec(text);
  if (commented) return { name: commented[2]!.trim(), address: addressOrEmpty(commented[1]!) };
  if (/^\S+@\S+$/.test(text)) return { name: '', address: addressOrEmpty(text) };
  return { name: unquote(text), address: '' };
}

function addressOrEmpty(candidate: string): string {
  return /^[^\s@<>]+@[^\s@<>]+$/.test(candidate) ? candidate.toLowerCase() : '';
}

function unquote(name: string): string {
  if (name.length >= 2 && name.startsWith('"') && name.endsWith('"')) {
    return name.slice(1, -1).replace(/\\(.)/g, '$1');
  }
  return name;
}
