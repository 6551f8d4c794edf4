import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FirestoreEmulator, startFirestoreEmulator } from './helpers/emulators.js';

describe('the real Firestore emulator helper', () => {
  let emulator: FirestoreEmulator;
  const documents = () =>
    `http://${emulator.host}/v1/projects/${emulator.project}/databases/(default)/documents`;

  beforeAll(async () => {
    emulator = await startFirestoreEmulator();
  }, 90_000);
  afterAll(() => emulator?.stop(), 90_000);

  it('writes and reads a document over REST, and reset deletes it', async () => {
    expect(emulator.host).toMatch(/^127\.0\.0\.1:\d+$/);
    const created = await fetch(`${documents()}/smoke?documentId=a`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ fields: { greeting: { stringValue: 'hello' } } }),
    });
    expect(created.status).toBe(200);
    await created.body?.cancel();

    const read = await fetch(`${documents()}/smoke/a`);
    expect(read.status).toBe(200);
    expect(await read.json()).toMatchObject({
      name: `projects/${emulator.project}/databases/(default)/documents/smoke/a`,
      fields: { greeting: { stringValue: 'hello' } },
    });

    await emulator.reset();
    const gone = await fetch(`${documents()}/smoke/a`);
    expect(gone.status).toBe(404);
    await gone.body?.cancel();
  });
});
