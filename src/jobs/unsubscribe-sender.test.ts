import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  aDecision,
  aRun,
  aUser,
  batchesOf,
  someCounters,
  someUsage,
} from '../../test/contract/store-contract.js';
import { fakeJobDeps, RecordingMailbox } from '../../test/helpers/job-fakes.js';
import { startTlsEndpoint, type TlsEndpoint } from '../../test/helpers/tls-endpoint.js';
import { sendOneClick } from '../adapters/unsubscribe/one-click.js';
import { type OneClickSend, unsubscribeSender } from './unsubscribe-sender.js';

const HOST = 'lists.sender-one.net';

/** A mailbox whose messages carry the given List-Unsubscribe headers, by message id. */
class HeaderMailbox extends RecordingMailbox {
  constructor(readonly byId: Record<string, Record<string, string>>) {
    super();
  }

  async headers(id: string): Promise<Record<string, string> | undefined> {
    return this.byId[id];
  }
}

describe('unsubscribing from a sender of a run', () => {
  let endpoint: TlsEndpoint;
  const posted: string[] = [];

  beforeAll(async () => {
    endpoint = await startTlsEndpoint([HOST], (req, body, res) => {
      posted.push(`${req.url} ${body}`);
      if (req.url?.startsWith('/slow')) return undefined;
      return res.writeHead(200).end();
    });
  });
  afterAll(async () => {
    await endpoint?.close();
  });

  /** The real request, to the local endpoint: loopback allowed only here. */
  const send: OneClickSend = (url) =>
    sendOneClick(url, {
      allowLoopback: true,
      ca: endpoint.ca,
      timeoutMs: 500,
      resolve: async () => [{ address: '127.0.0.1', family: 4 }],
    });

  async function setup(headers: Record<string, Record<string, string>>) {
    const { deps, store } = fakeJobDeps(new HeaderMailbox(headers));
    const user = aUser();
    await store.putUser(user);
    const run = aRun({ userId: user.id, status: 'DELETING' });
    await store.createRun(run);
    await store.putBatches(run.id, batchesOf(1));
    await store.completeBatch({
      runId: run.id,
      batchNo: 0,
      decisions: [
        aDecision({ id: 'm-1', decision: 'trash', sender: 'news@sender-one.net' }),
        aDecision({ id: 'm-2', decision: 'trash', sender: 'promo@mail-only.net' }),
        aDecision({ id: 'm-3', decision: 'trash', sender: 'slow@sender-one.net' }),
      ],
      counters: someCounters({ processed: 3, trashed: 3 }),
      llm: someUsage(),
      now: 1,
    });
    return { deps, store, user, run };
  }

  const oneClick = (path: string) => ({
    'List-Unsubscribe': `<mailto:u@sender-one.net>, <https://${HOST}:${endpoint.port}${path}>`,
    'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
  });

  it('sends the one-click request and puts the sender on the always-trash list', async () => {
    const { deps, store, user, run } = await setup({ 'm-1': oneClick('/u?token=abc') });
    const result = await unsubscribeSender(deps, send, {
      userId: user.id,
      runId: run.id,
      sender: 'news@sender-one.net',
    });
    expect(result).toMatchObject({ outcome: 'unsubscribed', link: null });
    expect(posted).toContain('/u?token=abc List-Unsubscribe=One-Click');
    const policy = (await store.getUser(user.id))!.policy;
    expect(policy.alwaysTrash).toEqual([
      { sender: 'news@sender-one.net', unsubscribe: 'unsubscribed', at: 1_800_000_000_000 },
    ]);
    expect(policy.version).toBe(user.policy.version + 1);
  });

  it('gives the owner the link of a sender without one-click, and posts nothing', async () => {
    const { deps, store, user, run } = await setup({
      'm-2': { 'List-Unsubscribe': '<mailto:leave@mail-only.net?subject=unsubscribe>' },
    });
    const before = posted.length;
    const result = await unsubscribeSender(deps, send, {
      userId: user.id,
      runId: run.id,
      sender: 'promo@mail-only.net',
    });
    expect(result).toMatchObject({
      outcome: 'link given',
      link: 'mailto:leave@mail-only.net?subject=unsubscribe',
    });
    expect(posted.length).toBe(before);
    expect((await store.getUser(user.id))!.policy.alwaysTrash[0]?.unsubscribe).toBe('link given');
  });

  it('records a sender that does not answer in time, with its link to try by hand', async () => {
    const { deps, store, user, run } = await setup({ 'm-3': oneClick('/slow') });
    const result = await unsubscribeSender(deps, send, {
      userId: user.id,
      runId: run.id,
      sender: 'slow@sender-one.net',
    });
    expect(result.outcome).toBe('timeout');
    expect(result.link).toBe('mailto:u@sender-one.net');
    expect((await store.getUser(user.id))!.policy.alwaysTrash[0]?.unsubscribe).toBe('timeout');
  });

  it('refuses a sender the run did not trash, and changes nothing', async () => {
    const { deps, store, user, run } = await setup({});
    await expect(
      unsubscribeSender(deps, send, { userId: user.id, runId: run.id, sender: 'x@y.net' }),
    ).rejects.toMatchObject({ code: 'bad_request' });
    await expect(
      unsubscribeSender(deps, send, {
        userId: 'someone-else',
        runId: run.id,
        sender: 'news@sender-one.net',
      }),
    ).rejects.toMatchObject({ code: 'not_found' });
    expect((await store.getUser(user.id))!.policy).toEqual(user.policy);
  });
});
