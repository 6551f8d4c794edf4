import { Layout } from '../layout.js';

const SIGN_IN_MESSAGES: Record<string, string> = {
  denied: 'Sign-in was cancelled at Google. Nothing was changed.',
  expired: 'The sign-in took too long or was started elsewhere. Please try again.',
  failed: 'Google did not complete the sign-in. Please try again.',
};

export function LandingPage({ demo, signIn }: { demo: boolean; signIn?: string | undefined }) {
  const message = signIn ? SIGN_IN_MESSAGES[signIn] : undefined;
  return (
    <Layout title="Free your Gmail storage">
      <h1>Free your Gmail storage</h1>
      {demo ? (
        <p role="note">
          Demo mode: sign-in and the mailbox are simulated on this machine. No real Google account
          is used.
        </p>
      ) : null}
      {message ? <p role="alert">{message}</p> : null}
      <ul>
        <li>
          Moves disposable mail (old promotions, newsletters, notifications) to Trash, where Gmail
          keeps it for 30 days.
        </li>
        <li>Reads metadata only (sender, subject, snippet, labels, size), never message bodies.</li>
        <li>
          Never touches starred, sent, drafts, chats, labelled mail, or threads you replied to.
        </li>
        <li>Keeps no email address.</li>
      </ul>
      <p>
        <a href="/auth/google">Sign in with Google</a>
      </p>
    </Layout>
  );
}
