import { Layout } from '../layout.js';

const TITLES: Readonly<Record<number, string>> = {
  400: 'That did not work',
  401: 'Please sign in',
  403: 'Request refused',
  404: 'Page not found',
  409: 'Not now',
  413: 'Too large',
  429: 'Too many requests',
  503: 'Try again shortly',
};

/** An error as a page, for browsers; the message is one of the service's own plain words. */
export function ErrorPage({ status, message }: { status: number; message: string }) {
  return (
    <Layout title={TITLES[status] ?? 'Something went wrong'}>
      <h1>{TITLES[status] ?? 'Something went wrong'}</h1>
      <div class="card">
        <p>{message}</p>
        <p>
          {status === 401 ? (
            <a href="/auth/google">Sign in with Google</a>
          ) : (
            <a href="/">Start page</a>
          )}
        </p>
      </div>
    </Layout>
  );
}
