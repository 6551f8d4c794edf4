import type { gmail_v1 } from '@googleapis/gmail';
import type { SimMessage } from './sim-types.js';

export type MessageFormat = 'minimal' | 'metadata' | 'full' | 'raw';

type Header = { name: string; value: string };

/** A message in Gmail's wire shape for the asked format. */
export function formatMessage(
  message: SimMessage,
  format: MessageFormat,
  metadataHeaders: readonly string[] = [],
): gmail_v1.Schema$Message {
  const base: gmail_v1.Schema$Message = {
    id: message.id,
    threadId: message.threadId,
    labelIds: [...message.labelIds],
    snippet: message.snippet,
    sizeEstimate: message.sizeEstimate,
    historyId: String(message.historyId),
    internalDate: String(message.internalDate),
  };
  switch (format) {
    case 'minimal':
      return base;
    case 'metadata': {
      const wanted = new Set(metadataHeaders.map((h) => h.toLowerCase()));
      const headers = headersOf(message).filter(
        (h) => wanted.size === 0 || wanted.has(h.name.toLowerCase()),
      );
      return { ...base, payload: { mimeType: mimeTypeOf(message), headers } };
    }
    case 'full':
      return { ...base, payload: fullPayload(message) };
    case 'raw': {
      const { snippet: _snippet, ...rest } = base;
      return { ...rest, raw: Buffer.from(rfc822(message)).toString('base64url') };
    }
  }
}

/** A minimal `{ id, threadId }` reference, as messages.list and history.list return them. */
export function messageRef(message: SimMessage): gmail_v1.Schema$Message {
  return { id: message.id, threadId: message.threadId };
}

function mimeTypeOf(message: SimMessage): string {
  return message.attachments.length > 0 ? 'multipart/mixed' : 'multipart/alternative';
}

export function headersOf(message: SimMessage): Header[] {
  const wire = message.wireHeaders ?? {};
  const from = message.from.name
    ? `${quoteName(message.from.name)} <${message.from.address}>`
    : message.from.address;
  const headers: Header[] = [
    { name: 'MIME-Version', value: '1.0' },
    { name: 'Date', value: new Date(message.internalDate).toUTCString().replace('GMT', '+0000') },
    { name: 'Message-ID', value: message.messageIdHeader },
  ];
  const add = (name: string, value: string | null | undefined) => {
    if (value !== null && value !== undefined) headers.push({ name, value });
  };
  add('Subject', wire.subject === undefined ? message.subject : wire.subject);
  add('From', wire.from === undefined ? from : wire.from);
  add('To', message.to.join(', '));
  if (message.inReplyTo) {
    headers.push({ name: 'In-Reply-To', value: message.inReplyTo });
    headers.push({ name: 'References', value: message.inReplyTo });
  }
  if (message.from.bulk) {
    const domain = message.from.address.split('@')[1] ?? 'example.com';
    add(
      'List-Unsubscribe',
      wire.listUnsubscribe === undefined
        ? `<mailto:unsubscribe@${domain}?subject=unsubscribe>, <https://${domain}/unsubscribe?m=${message.id}>`
        : wire.listUnsubscribe,
    );
    add(
      'List-Unsubscribe-Post',
      wire.listUnsubscribePost === undefined
        ? 'List-Unsubscribe=One-Click'
        : wire.listUnsubscribePost,
    );
    if (message.from.listId) headers.push({ name: 'List-Id', value: message.from.listId });
    headers.push({ name: 'Precedence', value: 'bulk' });
  }
  headers.push({ name: 'Content-Type', value: `${mimeTypeOf(message)}; boundary="sim-boundary"` });
  return headers;
}

function quoteName(name: string): string {
  return /[",.<>@:;]/.test(name) ? `"${name.replace(/"/g, '\\"')}"` : name;
}

function bodyText(message: SimMessage): string {
  return `${message.snippet}\r\n\r\n(The rest of this simulated message is not shown.)\r\n`;
}

function fullPayload(message: SimMessage): gmail_v1.Schema$MessagePart {
  const text = bodyText(message);
  const textPart: gmail_v1.Schema$MessagePart = {
    partId: '0',
    mimeType: 'text/plain',
    filename: '',
    headers: [{ name: 'Content-Type', value: 'text/plain; charset="UTF-8"' }],
    body: { size: Buffer.byteLength(text), data: Buffer.from(text).toString('base64url') },
  };
  const attachmentSize = Math.max(0, message.sizeEstimate - Buffer.byteLength(text) - 2_000);
  const attachments = message.attachments.map(
    (filename, i): gmail_v1.Schema$MessagePart => ({
      partId: String(i + 1),
      mimeType: filename.endsWith('.pdf') ? 'application/pdf' : 'application/octet-stream',
      filename,
      headers: [{ name: 'Content-Disposition', value: `attachment; filename="${filename}"` }],
      body: {
        attachmentId: `ANGjdJ${message.id}${i}`,
        size: Math.floor(attachmentSize / message.attachments.length),
      },
    }),
  );
  return {
    partId: '',
    mimeType: mimeTypeOf(message),
    filename: '',
    headers: headersOf(message),
    body: { size: 0 },
    parts: [textPart, ...attachments],
  };
}

function rfc822(message: SimMessage): string {
  const headers = headersOf(message)
    .filter((h) => h.name !== 'Content-Type')
    .map((h) => `${h.name}: ${h.value}`);
  return `${headers.join('\r\n')}\r\nContent-Type: text/plain; charset="UTF-8"\r\n\r\n${bodyText(message)}`;
}
