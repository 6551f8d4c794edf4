import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';

/**
 * Local gRPC servers built from the protos shipped in the Google client packages, for the
 * services that have no emulator (Cloud Tasks, Secret Manager). They listen on 127.0.0.1 only.
 */

const NODE_MODULES = fileURLToPath(new URL('../../node_modules/', import.meta.url));

/** Field names in camelCase, int64 as strings, enums as names, oneofs named: like the clients. */
const LOADER_OPTIONS = { keepCase: false, longs: String, enums: String, oneofs: true } as const;

/** The service `name` (e.g. google.cloud.tasks.v2.CloudTasks) from `proto` inside `packageName`. */
export function loadService(
  packageName: string,
  proto: string,
  name: string,
): grpc.ServiceDefinition {
  const definition = loadSync(proto, {
    ...LOADER_OPTIONS,
    includeDirs: [
      `${NODE_MODULES}${packageName}/build/protos`,
      `${NODE_MODULES}google-gax/build/protos`,
    ],
  });
  let node: unknown = grpc.loadPackageDefinition(definition);
  for (const part of name.split('.')) node = (node as Record<string, unknown>)[part];
  const service = (node as { service?: grpc.ServiceDefinition } | undefined)?.service;
  if (!service) throw new Error(`no service ${name} in ${proto}`);
  return service;
}

export interface GrpcServer {
  readonly port: number;
  close(): Promise<void>;
}

export async function serveGrpc(
  service: grpc.ServiceDefinition,
  implementation: grpc.UntypedServiceImplementation,
): Promise<GrpcServer> {
  const server = new grpc.Server();
  server.addService(service, implementation);
  const port = await new Promise<number>((resolve, reject) => {
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (error, bound) =>
      error ? reject(error) : resolve(bound),
    );
  });
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.tryShutdown(() => resolve());
        setTimeout(() => {
          server.forceShutdown();
          resolve();
        }, 1_000).unref();
      }),
  };
}

/** A unary handler that answers with the value (or gRPC error) `handle` gives. */
export function unary<Req, Res>(
  handle: (request: Req) => Res | Promise<Res>,
): grpc.handleUnaryCall<Req, Res> {
  return (call, callback) => {
    Promise.resolve()
      .then(() => handle(call.request))
      .then(
        (response) => callback(null, response),
        (error: Partial<grpc.ServiceError>) => callback(error),
      );
  };
}

export function grpcError(code: grpc.status, details: string): Partial<grpc.ServiceError> {
  return Object.assign(new Error(details), { code, details });
}

/** Client options that reach a local server over plain gRPC, without credentials. */
export function localClientOptions(port: number) {
  return { apiEndpoint: '127.0.0.1', port, sslCreds: grpc.credentials.createInsecure() };
}
