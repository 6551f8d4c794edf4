import { Firestore } from '@google-cloud/firestore';

export interface FirestoreClientOptions {
  readonly projectId: string;
  /** Default `(default)`. */
  readonly databaseId?: string | undefined;
  /** `127.0.0.1:PORT` of a Firestore emulator: plain gRPC, no credentials. */
  readonly emulatorHost?: string | undefined;
}

/**
 * A Firestore client. Nothing connects until the first request. The SDK itself also honours
 * FIRESTORE_EMULATOR_HOST when that is set in the environment.
 */
export function createFirestore(options: FirestoreClientOptions): Firestore {
  return new Firestore({
    projectId: options.projectId,
    ...(options.databaseId ? { databaseId: options.databaseId } : {}),
    ...(options.emulatorHost ? { host: options.emulatorHost, ssl: false } : {}),
  });
}
