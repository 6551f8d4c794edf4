import { describe, expect, it } from 'vitest';
import { meta } from '../../test/helpers/message-meta.js';
import type { MessageMeta } from '../domain/message.js';
import type { Mailbox } from '../domain/ports.js';
import { fromCheckNeeded, verifiedSenders } from './verify-senders.js';

/** A mailbox that only reads metadata, and counts how many messages it read. */
function readingMailbox(messages: readonly MessageMeta[]) {
  const unused = () => Promise.reject(new Error('not expected'));
  const read: string[] = [];
  const mailbox: Mailbox = {
    profile: unused,
    labels: unused,
    listIds: unused,
    headers: unused,
    getMetadata: async (ids) => {
      read.push(...ids);
      return new Map(messages.filter((m) => ids.includes(m.id)).map((m) => [m.id, m]));
    },
    trash: unused,
    untrash: unused,
    history: unused,
    labelsAdded: unused,
    protectedSince: unused,
    watch: unused,
    stop: unused,
  };
  return { mailbox, read };
}

describe('verifiedSenders', () => {
  it('passes mail whose own From is the sender it was attributed to, and no look-alike', async () => {
    const genuine = meta({ id: 'a', fromAddress: 'Deals@Shop.example' });
    const lookAlike = meta({
      id: 'b',
      fromAddress: 'team@groups.example',
      fromName: "'deals@shop.example' via Team",
    });
    const { mailbox, read } = readingMailbox([genuine, lookAlike]);
    const senders = new Set(['deals@shop.example']);
    const attributed = new Map([
      ['a', senders],
      ['b', senders],
      ['gone', senders],
    ]);
    expect(await verifiedSenders(mailbox, attributed)).toEqual(new Set(['a']));
    expect(read.sort()).toEqual(['a', 'b', 'gone']);
  });

  it('reads nothing when nothing was attributed', async () => {
    const { mailbox, read } = readingMailbox([]);
    expect(await verifiedSenders(mailbox, new Map())).toEqual(new Set());
    expect(read).toEqual([]);
  });
});

describe('which attributions have their From checked', () => {
  it('checks Primary and uncategorised mail, not mail Gmail sorted into a bulk category', () => {
    expect(fromCheckNeeded('primary')).toBe(true);
    expect(fromCheckNeeded('personal')).toBe(true);
    expect(fromCheckNeeded(null)).toBe(true);
    for (const bulk of ['promotions', 'social', 'updates', 'forums']) {
      expect(fromCheckNeeded(bulk)).toBe(false);
    }
  });
});
