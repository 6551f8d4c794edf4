import type { ChildProcess } from 'node:child_process';
import { firstMessage, forkBench } from './child.js';
import type { WorldOps, WorldOptions } from './world.js';

type Reply = { id: number; ok: true; value: unknown } | { id: number; ok: false; error: string };
type Ready = { ready: true; googleUrl: string; openAiUrl: string };

export type WorldCalls = {
  [K in keyof WorldOps]: (
    ...args: Parameters<WorldOps[K]>
  ) => Promise<Awaited<ReturnType<WorldOps[K]>>>;
};

export interface World {
  readonly googleUrl: string;
  /** OPENAI_BASE_URL of the fake OpenAI (with /v1). */
  readonly openAiUrl: string;
  readonly call: WorldCalls;
  close(): Promise<void>;
}

/** Starts world.ts in a child process and returns a typed handle on its operations. */
export async function startWorld(options: WorldOptions): Promise<World> {
  const child: ChildProcess = forkBench('./world.ts', options);
  const ready = await firstMessage(
    child,
    (m): m is Ready => typeof m === 'object' && m !== null && 'ready' in m,
  );
  const waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  let next = 0;
  child.on('message', (message: Reply | Ready) => {
    if (!('id' in message)) return;
    const pending = waiting.get(message.id);
    waiting.delete(message.id);
    if (message.ok) pending?.resolve(message.value);
    else pending?.reject(new Error(`world: ${message.error}`));
  });
  const call = new Proxy({} as WorldCalls, {
    get:
      (_, op: string) =>
      (...args: unknown[]) =>
        new Promise((resolve, reject) => {
          const id = next++;
          waiting.set(id, { resolve, reject });
          child.send({ id, op, args });
        }),
  });
  return {
    googleUrl: ready.googleUrl,
    openAiUrl: ready.openAiUrl,
    call,
    close: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.disconnect();
      }),
  };
}
