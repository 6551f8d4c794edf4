/**
 * What a sender's List-Unsubscribe (RFC 2369) and List-Unsubscribe-Post (RFC 8058) headers
 * offer: a one-click POST to an https URL, a mailto address, or a web page to open.
 */
export interface UnsubscribeOffer {
  /** An https URL that takes the RFC 8058 one-click POST. */
  readonly oneClick: URL | null;
  /** A `mailto:` URI the owner can send from their own mail. */
  readonly mailto: string | null;
  /** An https (or http) page the owner opens; not one-click. */
  readonly web: URL | null;
}

const ONE_CLICK = /^\s*List-Unsubscribe=One-Click\s*$/i;

export function parseListUnsubscribe(
  listUnsubscribe: string | undefined,
  listUnsubscribePost: string | undefined,
): UnsubscribeOffer {
  const uris = [...(listUnsubscribe ?? '').matchAll(/<([^<>]*)>/g)].map((m) => m[1]!.trim());
  let https: URL | null = null;
  let web: URL | null = null;
  let mailto: string | null = null;
  for (const uri of uris) {
    if (/^mailto:/i.test(uri)) {
      mailto ??= uri;
      continue;
    }
    if (!URL.canParse(uri)) continue;
    const url = new URL(uri);
    if (url.protocol === 'https:') https ??= url;
    if (url.protocol === 'https:' || url.protocol === 'http:') web ??= url;
  }
  const oneClick = https && ONE_CLICK.test(listUnsubscribePost ?? '') ? https : null;
  return { oneClick, mailto, web: oneClick ? null : web };
}
