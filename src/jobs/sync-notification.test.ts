import { describe, expect, it } from 'vitest';
import { decodeNotification } from './sync-notification.js';

const encode = (value: unknown, encoding: 'base64' | 'base64url' = 'base64') =>
  Buffer.from(JSON.stringify(value)).toString(encoding);

describe('decodeNotification', () => {
  it('reads Gmail notification data in standard or URL-safe base64', () => {
    const notification = { emailAddress: 'me+news@example.com', historyId: 9_876_543 };
    expect(decodeNotification(encode(notification))).toEqual(notification);
    expect(decodeNotification(encode(notification, 'base64url'))).toEqual(notification);
  });

  it('takes a history id given as a decimal string, up to 20 digits', () => {
    const notification = { emailAddress: 'me@example.com', historyId: '18446744073709551615' };
    expect(decodeNotification(encode(notification))).toEqual(notification);
  });

  it('reads the raw bytes a pull subscriber receives', () => {
    const notification = { emailAddress: 'me@example.com', historyId: 12 };
    expect(decodeNotification(Buffer.from(JSON.stringify(notification)))).toEqual(notification);
  });

  it.each([
    ['text that is not base64', '%%%'],
    ['base64 of something that is not JSON', Buffer.from('hello').toString('base64')],
    ['no history id', encode({ emailAddress: 'me@example.com' })],
    ['no address', encode({ historyId: 5 })],
    ['an address without @', encode({ emailAddress: 'me', historyId: 5 })],
    ['a fractional history id', encode({ emailAddress: 'me@example.com', historyId: 1.5 })],
    [
      'a history id that is not a number',
      encode({ emailAddress: 'me@example.com', historyId: '0x10' }),
    ],
  ])('gives nothing for %s', (_what, data) => {
    expect(decodeNotification(data)).toBeUndefined();
  });
});
