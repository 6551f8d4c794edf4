import type { UnsubscribeResult } from '../../src/jobs/unsubscribe-sender.js';
import { Layout } from '../layout.js';

const HEADLINES: Readonly<Record<UnsubscribeResult['outcome'], string>> = {
  unsubscribed: 'Unsubscribed',
  refused: 'Not sent: the request was refused for your safety',
  failed: 'The sender did not confirm',
  timeout: 'The sender did not answer in time',
  'link given': 'Unsubscribe on the sender’s side',
  'not offered': 'This sender offers no unsubscribe',
};

/** What unsubscribing from one sender did, in plain words, with the sender's own link if any. */
export function UnsubscribePage({
  runId,
  sender,
  result,
}: {
  runId: string;
  sender: string;
  result: UnsubscribeResult;
}) {
  return (
    <Layout title="Unsubscribe" signedIn>
      <h1>{HEADLINES[result.outcome]}</h1>
      <section class="card" aria-labelledby="outcome-heading">
        <h2 id="outcome-heading">{sender}</h2>
        <p role="status" data-outcome={result.outcome}>
          {result.outcome === 'unsubscribed'
            ? 'The sender accepted the one-click unsubscribe request.'
            : `Outcome: ${result.detail}.`}
        </p>
        {result.link ? (
          <p>
            <a href={result.link} rel="noopener noreferrer nofollow" target="_blank">
              {result.link.startsWith('mailto:')
                ? 'Write the unsubscribe email'
                : 'Open the sender’s unsubscribe page'}
            </a>{' '}
            (it opens outside this service).
          </p>
        ) : null}
        <p>
          Either way, this sender is on your always-trash list: automatic cleanup moves its new mail
          to Trash, unless a protection rule keeps it. You can take it off in your{' '}
          <a href="/app/settings">settings</a>.
        </p>
      </section>
      <p>
        <a href={`/app/runs/${runId}`}>Back to the run</a>
      </p>
    </Layout>
  );
}
