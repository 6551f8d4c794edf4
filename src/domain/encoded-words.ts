/**
 * RFC 2047 encoded words (`=?charset?B|Q?text?=`) in a header value, decoded: display names
 * and subjects outside ASCII come this way when Gmail passes the header through as sent. The
 * whitespace between two adjacent encoded words is dropped (RFC 2047, 6.2); a word in an
 * unknown charset or with a malformed text is left as it is.
 */
export function decodeEncodedWords(value: string): string {
  if (!value.includes('=?')) return value;
  return value
    .replace(/(=\?[^?\s]+\?[bBqQ]\?[^?\s]*\?=)\s+(?==\?[^?\s]+\?[bBqQ]\?[^?\s]*\?=)/g, '$1')
    .replace(/=\?([^?\s]+)\?([bBqQ])\?([^?\s]*)\?=/g, (word, charset: string, kind, text) => {
      const bytes = kind.toUpperCase() === 'B' ? fromBase64(text) : fromQuoted(text);
      return bytes ? (decode(charset, bytes) ?? word) : word;
    });
}

function fromBase64(text: string): Uint8Array | undefined {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text)) return undefined;
  return new Uint8Array(Buffer.from(text, 'base64'));
}

/** The Q encoding: `_` is a space, `=XX` a byte, anything else itself. */
function fromQuoted(text: string): Uint8Array | undefined {
  const bytes: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '_') bytes.push(0x20);
    else if (c === '=') {
      const hex = text.slice(i + 1, i + 3);
      if (!/^[0-9A-Fa-f]{2}$/.test(hex)) return undefined;
      bytes.push(Number.parseInt(hex, 16));
      i += 2;
    } else bytes.push(c.charCodeAt(0) & 0xff);
  }
  return new Uint8Array(bytes);
}

function decode(charset: string, bytes: Uint8Array): string | undefined {
  // RFC 2231 allows a language after the charset: `utf-8*en`.
  const label = charset.split('*')[0]!;
  try {
    return new TextDecoder(label).decode(bytes);
  } catch {
    return undefined;
  }
}
