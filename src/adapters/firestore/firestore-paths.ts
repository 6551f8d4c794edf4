import type { CollectionReference, DocumentReference, Firestore } from '@google-cloud/firestore';

/**
 * Where each record lives:
 *   users/{userId}                              the user
 *   users/{userId}/senderSets/{autoId}          cached sender decisions, one document per put
 *   users/{userId}/senders/{senderDocId}        the same, as written before sets (read only)
 *   users/{userId}/repliedThreads/{bucket}      marked conversations (replied ones
 *                                              among them), in hash buckets
 *   users/{userId}/trashOutbox/{runId}-{batchNo} decided trash waiting for a flush
 *   runs/{runId}                                the run, with its base tally
 *   runs/{runId}/batches/{batchNo}              up to 500 ids and their decisions
 *   runs/{runId}/shards/{n}                     counter shards the batches add to
 *   deadWork/{hash}                             tasks and pushes failed on their last attempt
 */

export const users = (db: Firestore): CollectionReference => db.collection('users');
export const userRef = (db: Firestore, userId: string): DocumentReference => users(db).doc(userId);
export const senders = (db: Firestore, userId: string): CollectionReference =>
  userRef(db, userId).collection('senders');
export const senderSets = (db: Firestore, userId: string): CollectionReference =>
  userRef(db, userId).collection('senderSets');
export const threadBuckets = (db: Firestore, userId: string): CollectionReference =>
  userRef(db, userId).collection('repliedThreads');

export const trashOutbox = (db: Firestore, userId: string): CollectionReference =>
  userRef(db, userId).collection('trashOutbox');

export const deadWork = (db: Firestore): CollectionReference => db.collection('deadWork');

export const runs = (db: Firestore): CollectionReference => db.collection('runs');
export const runRef = (db: Firestore, runId: string): DocumentReference => runs(db).doc(runId);
export const batches = (db: Firestore, runId: string): CollectionReference =>
  runRef(db, runId).collection('batches');
export const batchRef = (db: Firestore, runId: string, batchNo: number): DocumentReference =>
  batches(db, runId).doc(String(batchNo));
export const shards = (db: Firestore, runId: string): CollectionReference =>
  runRef(db, runId).collection('shards');

/**
 * A document id for any sender key ('news@shop.example', '@bank.example'): percent-encoded,
 * with '.' and '_' escaped too, so it never contains '/', is never '.' or '..', and never
 * looks like a reserved `__name__`.
 */
export function senderDocId(senderKey: string): string {
  const encoded = encodeURIComponent(senderKey).replace(
    /[._!~*'()]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
  return encoded === '' ? '%' : encoded;
}
