import { describe, expect, it } from 'vitest';
import { aRun, aUser } from '../../test/contract/store-contract.js';
import { fakeJobDeps, RecordingMailbox } from '../../test/helpers/job-fakes.js';
import { seal } from '../domain/sealing.js';
import { StaticKeyRing } from '../local/static-key-ring.js';
import { disconnectUser } from './disconnect-user.js';

const REFRESH_TOKEN = '1//refresh-token-of-the-user';

async function connectedUser(options: { revokeAnswer?: boolean; stopFails?: boolean } = {}) {
  const mailbox = new RecordingMailbox();
  if (options.stopFails) mailbox.fail.stop = new Error('Gmail is down');
  const fakes = fakeJobDeps(mailbox);
  const keyRing = new StaticKeyRing({
    version: 1,
    current: 'k1',
    keys: { k1: Buffer.alloc(32, 7).toString('base64') },
    macRoot: Buffer.alloc(32, 9).toString('base64'),
  });
  const revoked: string[] = [];
  const user = aUser({
    watch: { topic: 'projects/p/topics/t', expiration: 2e12, lastNotificationAt: null },
  });
  await fakes.store.putUser({
    ...user,
    refreshToken: await seal(keyRing, REFRESH_TOKEN, user.id),
  });
  const done = aRun({ userId: user.id, status: 'DONE' });
  const running = aRun({ userId: user.id, status: 'PROCESSING' });
  await fakes.store.createRun(done);
  await fakes.store.createRun(running);
  await fakes.store.addRepliedThreads(user.id, ['thread-1']);
  const deps = {
    ...fakes.deps,
    keyRing,
    revoke: async (token: string) => {
      revoked.push(token);
      return options.revokeAnswer ?? true;
    },
  };
  return { ...fakes, deps, mailbox, user, revoked, runs: [done, running] };
}

describe('disconnecting a user', () => {
  it('stops the watch, revokes the token at Google and deletes every record', async () => {
    const setup = await connectedUser();
    const result = await disconnectUser(setup.deps, setup.user.id);
    expect(result).toEqual({ revoked: true });
    expect(setup.mailbox.stopped).toBe(1);
    expect(setup.revoked).toEqual([REFRESH_TOKEN]);
    expect(await setup.store.getUser(setup.user.id)).toBeUndefined();
    for (const run of setup.runs) expect(await setup.store.getRun(run.id)).toBeUndefined();
    expect(await setup.store.repliedThreads(setup.user.id, ['thread-1'])).toEqual(new Set());
  });

  it('still deletes everything when Google cannot stop the watch or revoke the token', async () => {
    const setup = await connectedUser({ revokeAnswer: false, stopFails: true });
    const result = await disconnectUser(setup.deps, setup.user.id);
    expect(result).toEqual({ revoked: false });
    expect(await setup.store.getUser(setup.user.id)).toBeUndefined();
    expect(await setup.store.listRuns(setup.user.id, 10)).toEqual([]);
  });

  it('does nothing for a user already gone', async () => {
    const setup = await connectedUser();
    await disconnectUser(setup.deps, setup.user.id);
    await expect(disconnectUser(setup.deps, setup.user.id)).resolves.toEqual({ revoked: true });
    expect(setup.revoked).toHaveLength(1);
  });
});
