import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';

type FetchHandler = (request: Request) => Response | Promise<Response>;

export interface Listening {
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

/** Serves a fetch handler on 127.0.0.1 at a free port, for tests that need a real socket. */
export async function listen(fetch: FetchHandler): Promise<Listening> {
  return new Promise((resolve) => {
    const server = serve({ fetch, hostname: '127.0.0.1', port: 0 }, (info: AddressInfo) => {
      resolve({
        url: `http://127.0.0.1:${info.port}`,
        port: info.port,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            if ('closeAllConnections' in server) server.closeAllConnections();
          }),
      });
    });
  });
}
