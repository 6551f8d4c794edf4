/**
 * REST calls to the emulators: Pub/Sub's admin API (served on the same port as gRPC), and the
 * check every such call's answer gets.
 */

/** Creates `projects/PROJECT/topics/TOPIC` and returns that name. */
export async function createTopic(host: string, project: string, topic: string): Promise<string> {
  const name = `projects/${project}/topics/${topic}`;
  const response = await fetch(`http://${host}/v1/${name}`, { method: 'PUT' });
  await expectOk(response, `create topic ${name}`);
  return name;
}

/** Creates a push subscription on `topic` (a short name in `project`) and returns its full name. */
export async function createPushSubscription(
  host: string,
  project: string,
  name: string,
  topic: string,
  pushEndpoint: string,
): Promise<string> {
  const subscription = `projects/${project}/subscriptions/${name}`;
  const response = await fetch(`http://${host}/v1/${subscription}`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      topic: `projects/${project}/topics/${topic}`,
      pushConfig: { pushEndpoint },
      ackDeadlineSeconds: 10,
    }),
  });
  await expectOk(response, `create subscription ${subscription}`);
  return subscription;
}

/** Creates a pull subscription on `topic` (a short name in `project`) and returns its full name. */
export async function createPullSubscription(
  host: string,
  project: string,
  name: string,
  topic: string,
): Promise<string> {
  const subscription = `projects/${project}/subscriptions/${name}`;
  const response = await fetch(`http://${host}/v1/${subscription}`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ topic: `projects/${project}/topics/${topic}`, ackDeadlineSeconds: 10 }),
  });
  await expectOk(response, `create subscription ${subscription}`);
  return subscription;
}

/** Throws with the status and body unless `response` is OK; drains it when it is. */
export async function expectOk(response: Response, what: string): Promise<void> {
  if (response.ok) {
    await response.body?.cancel();
    return;
  }
  throw new Error(`${what} answered ${response.status}: ${await response.text()}`);
}
