import { describe, expect, it } from 'vitest';
import { PushTokenCaller } from './push-token-caller.js';

const push = (query: string) => new Request(`http://127.0.0.1/push/gmail${query}`);

describe('PushTokenCaller', () => {
  it('accepts the configured token', async () => {
    expect(await new PushTokenCaller('s3cret-token').verify(push('?token=s3cret-token'))).toBe(
      true,
    );
  });

  it('refuses a wrong, longer, shorter or missing token', async () => {
    const caller = new PushTokenCaller('s3cret-token');
    for (const query of [
      '?token=s3cret-tokem',
      '?token=s3cret-token2',
      '?token=s3cret',
      '',
      '?token=',
    ]) {
      expect(await caller.verify(push(query))).toBe(false);
    }
  });

  it('refuses every push when no token is configured', async () => {
    const caller = new PushTokenCaller(undefined);
    expect(await caller.verify(push('?token='))).toBe(false);
    expect(await caller.verify(push('?token=anything'))).toBe(false);
  });
});
