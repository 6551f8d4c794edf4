import { describe, expect, it } from 'vitest';
import { parseListUnsubscribe } from './list-unsubscribe.js';

describe('parseListUnsubscribe', () => {
  it('offers one-click for an https URL with the RFC 8058 post header', () => {
    const offer = parseListUnsubscribe(
      '<mailto:u@list.example?subject=unsubscribe>, <https://list.example/u?m=1>',
      'List-Unsubscribe=One-Click',
    );
    expect(offer.oneClick?.href).toBe('https://list.example/u?m=1');
    expect(offer.mailto).toBe('mailto:u@list.example?subject=unsubscribe');
    expect(offer.web).toBeNull();
  });

  it('gives a web link, not one-click, without the post header or over plain http', () => {
    expect(parseListUnsubscribe('<https://list.example/u>', undefined)).toMatchObject({
      oneClick: null,
      web: new URL('https://list.example/u'),
    });
    expect(
      parseListUnsubscribe('<http://list.example/u>', 'List-Unsubscribe=One-Click').oneClick,
    ).toBeNull();
  });

  it('finds nothing in an absent or malformed header', () => {
    expect(parseListUnsubscribe(undefined, undefined)).toEqual({
      oneClick: null,
      mailto: null,
      web: null,
    });
    expect(
      parseListUnsubscribe('https://no-brackets.example', 'List-Unsubscribe=One-Click'),
    ).toEqual({ oneClick: null, mailto: null, web: null });
  });
});
