import { describe, expect, it } from 'vitest';
import { parseFrom, toMessageMeta } from './gmail-metadata.js';

describe('parseFrom', () => {
  it.each([
    ['"Amazon.com" <Shipment-Tracking@Amazon.com>', 'Amazon.com', 'shipment-tracking@amazon.com'],
    ['Jane Doe <jane@example.com>', 'Jane Doe', 'jane@example.com'],
    ['"Doe, \\"JD\\" Jane" <jd@example.com>', 'Doe, "JD" Jane', 'jd@example.com'],
    ['"a <b@c.d>" <real@example.com>', 'a <b@c.d>', 'real@example.com'],
    ['<News@Example.org>', '', 'news@example.org'],
    ['Someone@Example.COM', '', 'someone@example.com'],
    ['old@example.com (Old Style)', 'Old Style', 'old@example.com'],
    ['Mail Delivery Subsystem', 'Mail Delivery Subsystem', ''],
    ['', '', ''],
  ])('reads %j as name %j and address %j', (header, name, address) => {
    expect(parseFrom(header)).toEqual({ name, address });
  });
});

describe('toMessageMeta', () => {
  it('turns a format=metadata message into what the service keeps', () => {
    const meta = toMessageMeta({
      id: '18f0a1b2c3d4e5f6',
      threadId: '18f0a1b2c3d4e5f0',
      labelIds: ['INBOX', 'CATEGORY_PROMOTIONS'],
      snippet: 'Big sale',
      sizeEstimate: 12_345,
      internalDate: '1714000000000',
      payload: {
        headers: [
          { name: 'From', value: 'Shop <Deals@Shop.example>' },
          { name: 'subject', value: 'Sale!' },
          { name: 'List-Unsubscribe', value: '<mailto:u@shop.example>' },
          { name: 'List-Id', value: ' Deals <deals.shop.example> ' },
        ],
      },
    });
    expect(meta).toEqual({
      id: '18f0a1b2c3d4e5f6',
      threadId: '18f0a1b2c3d4e5f0',
      labelIds: ['INBOX', 'CATEGORY_PROMOTIONS'],
      fromAddress: 'deals@shop.example',
      fromName: 'Shop',
      subject: 'Sale!',
      snippet: 'Big sale',
      sizeEstimate: 12_345,
      internalDate: 1_714_000_000_000,
      listUnsubscribe: true,
      listId: 'Deals <deals.shop.example>',
    });
  });

  it('decodes encoded words in the display name and the subject', () => {
    const meta = toMessageMeta({
      id: 'a',
      payload: {
        headers: [
          { name: 'From', value: '=?UTF-8?B?SsO8cmdlbiBNw7xsbGVy?= <jm@example.de>' },
          { name: 'Subject', value: '=?iso-8859-1?Q?R=E9sum=E9_?= =?utf-8?Q?de_la_semaine?=' },
        ],
      },
    });
    expect(meta).toMatchObject({
      fromName: 'Jürgen Müller',
      fromAddress: 'jm@example.de',
      subject: 'Résumé de la semaine',
    });
  });

  it('fills what a sparse message lacks with empty values', () => {
    expect(toMessageMeta({}, 'abc')).toMatchObject({
      id: 'abc',
      threadId: 'abc',
      labelIds: [],
      fromAddress: '',
      subject: '',
      internalDate: 0,
      listUnsubscribe: false,
      listId: null,
    });
  });
});
