import type { RunView } from '../../src/http/run-view.js';
import { Layout } from '../layout.js';

const FINAL = ['DONE', 'FAILED', 'CANCELLED'];

export function RunStatusPage({ run }: { run: RunView }) {
  const done = FINAL.includes(run.status);
  return (
    <Layout title="Run status" refreshSeconds={done ? undefined : 30}>
      <h1>Run status: {run.status}</h1>
      <dl>
        <dt>Processed</dt>
        <dd>
          {run.processed} of {run.total}
        </dd>
        <dt>Moved to Trash</dt>
        <dd>{run.trashed}</dd>
        <dt>Protected</dt>
        <dd>{run.protected}</dd>
      </dl>
      {run.errors.length > 0 ? (
        <ul>
          {run.errors.map((e) => (
            <li>{e.message}</li>
          ))}
        </ul>
      ) : null}
    </Layout>
  );
}
