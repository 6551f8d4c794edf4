import { SecretManagerServiceClient } from '@google-cloud/secret-manager';
import { status } from '@grpc/grpc-js';
import { crc32c } from '../../src/adapters/secret-manager/crc32c.js';
import { grpcError, loadService, localClientOptions, serveGrpc, unary } from './grpc-server.js';

/**
 * Secret Manager as a local gRPC server: secrets with numbered versions, `latest`, and the
 * CRC32C of each payload, as AccessSecretVersion and AddSecretVersion answer them.
 */
export interface SecretManagerFake {
  readonly port: number;
  /** Version names asked for by AccessSecretVersion, in order. */
  readonly accesses: string[];
  /** A client of the real SDK talking to this server. */
  client(): SecretManagerServiceClient;
  /** Adds a version to `secret` (projects/P/secrets/S), creating it; returns the version name. */
  addVersion(secret: string, data: string): string;
  /** Makes the next AccessSecretVersion answer with a wrong checksum. */
  corruptChecksums(): void;
  close(): Promise<void>;
}

interface Payload {
  data?: Buffer;
  dataCrc32c?: string;
}

export async function startSecretManagerFake(): Promise<SecretManagerFake> {
  const secrets = new Map<string, Buffer[]>();
  const accesses: string[] = [];
  let corrupt = false;

  const addVersion = (secret: string, data: Buffer) => {
    const versions = secrets.get(secret) ?? [];
    versions.push(data);
    secrets.set(secret, versions);
    return `${secret}/versions/${versions.length}`;
  };

  const service = loadService(
    '@google-cloud/secret-manager',
    'google/cloud/secretmanager/v1/service.proto',
    'google.cloud.secretmanager.v1.SecretManagerService',
  );
  const server = await serveGrpc(service, {
    AccessSecretVersion: unary(({ name }: { name: string }) => {
      accesses.push(name);
      const match = /^(projects\/[^/]+\/secrets\/[^/]+)\/versions\/([^/]+)$/.exec(name);
      const versions = match ? secrets.get(match[1]!) : undefined;
      if (!match || !versions) throw grpcError(status.NOT_FOUND, `Secret [${name}] not found.`);
      const number = match[2] === 'latest' ? versions.length : Number(match[2]);
      const data = versions[number - 1];
      if (!data) throw grpcError(status.NOT_FOUND, `Secret Version [${name}] not found.`);
      const checksum = crc32c(data) ^ (corrupt ? 1 : 0);
      corrupt = false;
      return {
        name: `${match[1]}/versions/${number}`,
        payload: { data, dataCrc32c: String(checksum >>> 0) },
      };
    }),
    AddSecretVersion: unary(({ parent, payload }: { parent: string; payload?: Payload }) => {
      const data = payload?.data ?? Buffer.alloc(0);
      if (payload?.dataCrc32c !== undefined && Number(payload.dataCrc32c) !== crc32c(data)) {
        throw grpcError(status.INVALID_ARGUMENT, 'Checksum mismatch.');
      }
      return { name: addVersion(parent, data), state: 'ENABLED' };
    }),
  });

  return {
    port: server.port,
    accesses,
    client: () => new SecretManagerServiceClient(localClientOptions(server.port)),
    addVersion: (secret, data) => addVersion(secret, Buffer.from(data)),
    corruptChecksums: () => {
      corrupt = true;
    },
    close: server.close,
  };
}
