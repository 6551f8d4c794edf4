import { describe, expect, it } from 'vitest';
import { decodeEncodedWords } from './encoded-words.js';

describe('decodeEncodedWords', () => {
  it('decodes B and Q words in UTF-8 and Latin-1, in any case', () => {
    expect(decodeEncodedWords('=?UTF-8?B?SsO8cmdlbiBNw7xsbGVy?=')).toBe('Jürgen Müller');
    expect(decodeEncodedWords('=?iso-8859-1?q?Andr=E9_Dupont?=')).toBe('André Dupont');
    expect(decodeEncodedWords('=?utf-8?Q?Caf=C3=A9?= du coin')).toBe('Café du coin');
  });

  it('joins adjacent words and keeps the text around them', () => {
    expect(decodeEncodedWords('=?UTF-8?Q?Bons_?= =?UTF-8?Q?plans?= of the week')).toBe(
      'Bons plans of the week',
    );
    expect(decodeEncodedWords('Re: =?utf-8?B?5pel5pys?= news')).toBe('Re: 日本 news');
  });

  it('leaves plain text, unknown charsets and malformed words as they are', () => {
    expect(decodeEncodedWords('Plain = text?')).toBe('Plain = text?');
    expect(decodeEncodedWords('=?x-unknown?B?SGk=?=')).toBe('=?x-unknown?B?SGk=?=');
    expect(decodeEncodedWords('=?utf-8?Q?bad=ZZ?=')).toBe('=?utf-8?Q?bad=ZZ?=');
    expect(decodeEncodedWords('=?utf-8*en?Q?Hi?=')).toBe('Hi');
  });
});
