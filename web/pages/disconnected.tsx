import { Layout } from '../layout.js';

/** After "Disconnect and delete my data": what was done, and what is left to the user. */
export function DisconnectedPage({ revoked }: { revoked: boolean }) {
  return (
    <Layout title="Disconnected">
      <h1>Your data is deleted</h1>
      <div class="card">
        <ul class="ticks">
          <li>Automatic cleanup is stopped.</li>
          {revoked ? <li>This service's access to your Gmail is revoked at Google.</li> : null}
          <li>
            Every record kept about you (runs, decisions, your OpenAI key and Google token) is
            deleted, and you are signed out.
          </li>
          <li>Mail already in Trash stays there until Gmail deletes it, 30 days after.</li>
        </ul>
        {revoked ? null : (
          <div class="alert" role="alert">
            <p>
              Google could not confirm that our access is revoked. Remove “Clean That Up” at{' '}
              <a href="https://myaccount.google.com/permissions">
                myaccount.google.com/permissions
              </a>{' '}
              to be sure.
            </p>
          </div>
        )}
      </div>
      <p>
        <a href="/">Back to the start page</a>
      </p>
    </Layout>
  );
}
