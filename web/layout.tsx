import { raw } from 'hono/html';
import type { Child } from 'hono/jsx';
import { assetUrl } from './assets.js';

export interface LayoutProps {
  readonly title: string;
  readonly children?: Child;
  /** Seconds after which the page reloads itself (works without JavaScript). */
  readonly refreshSeconds?: number | undefined;
  /** Shows the account navigation (dashboard, key, sign out). */
  readonly signedIn?: boolean;
  /** Which navigation entry is the current page. */
  readonly current?: 'dashboard' | 'key' | 'settings' | undefined;
  /** Static scripts (files under web/static), loaded deferred; no inline script anywhere. */
  readonly scripts?: readonly string[];
}

export function Layout({
  title,
  children,
  refreshSeconds,
  signedIn = false,
  current,
  scripts = [],
}: LayoutProps) {
  const here = (page: LayoutProps['current']) => (page === current ? 'page' : undefined);
  return (
    <>
      {raw('<!DOCTYPE html>')}
      <html lang="en">
        <head>
          <meta charset="utf-8" />
          <meta name="viewport" content="width=device-width, initial-scale=1" />
          {refreshSeconds ? <meta http-equiv="refresh" content={String(refreshSeconds)} /> : null}
          <title>{`${title} · Clean That Up`}</title>
          <link rel="icon" type="image/svg+xml" href={assetUrl('favicon.svg')} />
          <link rel="stylesheet" href={assetUrl('app.css')} />
          {scripts.map((name) => (
            <script src={assetUrl(name)} defer />
          ))}
        </head>
        <body>
          <a class="skip-link" href="#main">
            Skip to content
          </a>
          <header class="site-header">
            <div class="wrap header-row">
              <a class="brand" href={signedIn ? '/app' : '/'}>
                Clean That Up
              </a>
              {signedIn ? (
                <nav aria-label="Account">
                  <a href="/app" aria-current={here('dashboard')}>
                    Dashboard
                  </a>
                  <a href="/app/openai-key" aria-current={here('key')}>
                    OpenAI key
                  </a>
                  <a href="/app/settings" aria-current={here('settings')}>
                    Settings
                  </a>
                  <form method="post" action="/auth/logout" class="inline-form">
                    <button type="submit" class="link-button">
                      Sign out
                    </button>
                  </form>
                </nav>
              ) : null}
            </div>
          </header>
          <main id="main" class="wrap" tabindex={-1}>
            {children}
          </main>
          <footer class="site-footer">
            <div class="wrap">
              <p>
                Clean That Up moves mail to Gmail's Trash, where it stays recoverable for 30 days.
                It reads message metadata, never message bodies, and keeps no email address.
              </p>
            </div>
          </footer>
        </body>
      </html>
    </>
  );
}
