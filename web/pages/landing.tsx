import { Layout } from '../layout.js';

const SIGN_IN_MESSAGES: Record<string, string> = {
  denied: 'Sign-in was cancelled at Google. Nothing was changed.',
  expired: 'The sign-in took too long or was started elsewhere. Please try again.',
  failed: 'Google did not complete the sign-in. Please try again.',
  again: 'Please sign in again.',
};

export function LandingPage({ demo, signIn }: { demo: boolean; signIn?: string | undefined }) {
  const message = signIn ? SIGN_IN_MESSAGES[signIn] : undefined;
  return (
    <Layout title="Free your Gmail storage">
      <section class="hero" aria-labelledby="hero-heading">
        <h1 id="hero-heading">Free your Gmail storage</h1>
        <p class="lede">
          Clean That Up finds the mail you will never read again (old promotions, newsletters,
          notifications) and moves it to Trash, then keeps your mailbox clean as new mail arrives.
        </p>
        {demo ? (
          <p class="notice" role="note">
            <strong>Demo mode:</strong> sign-in and the mailbox are simulated on this machine. No
            real Google account is used and no real mail is touched.
          </p>
        ) : null}
        {message ? (
          <div class="alert" role="alert">
            <p>{message}</p>
          </div>
        ) : null}
        <p>
          <a class="button primary" href="/auth/google">
            Sign in with Google
          </a>
        </p>
      </section>
      <div class="columns">
        <section class="card" aria-labelledby="does-heading">
          <h2 id="does-heading">What it does</h2>
          <ul class="ticks">
            <li>
              Moves disposable mail to <strong>Trash</strong>, where Gmail keeps it for 30 days: you
              can restore it, and every run can be undone.
            </li>
            <li>
              Reads <strong>metadata only</strong> (sender, subject, snippet, labels, size) to
              decide.
            </li>
            <li>Lets an OpenAI model decide with your own key, or simple rules without one.</li>
            <li>Shows every run's progress, what it freed, and what it cost.</li>
          </ul>
        </section>
        <section class="card" aria-labelledby="doesnt-heading">
          <h2 id="doesnt-heading">What it never does</h2>
          <ul class="crosses">
            <li>Read message bodies or attachments.</li>
            <li>Delete anything for good: Trash only.</li>
            <li>Touch starred, sent, drafts, chats, labelled mail, or threads you replied to.</li>
            <li>
              Keep your email address: you are known by Google's account id only, and you can delete
              everything kept about you at any time.
            </li>
          </ul>
        </section>
      </div>
      <section aria-labelledby="how-heading">
        <h2 id="how-heading">How it works</h2>
        <ol class="steps">
          <li>Sign in with Google and allow access to Gmail.</li>
          <li>Add an OpenAI API key, or choose simple rules.</li>
          <li>Start a full scan and follow it on its status page. New mail is cleaned after.</li>
        </ol>
      </section>
    </Layout>
  );
}
