import type { Child } from 'hono/jsx';

export interface LayoutProps {
  readonly title: string;
  readonly children?: Child;
  /** Seconds after which the page reloads itself (works without JavaScript). */
  readonly refreshSeconds?: number;
}

export function Layout({ title, children, refreshSeconds }: LayoutProps) {
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        {refreshSeconds ? <meta http-equiv="refresh" content={String(refreshSeconds)} /> : null}
        <title>{`${title} · Clean That Up`}</title>
      </head>
      <body>
        <header>
          <a href="/">Clean That Up</a>
        </header>
        <main>{children}</main>
      </body>
    </html>
  );
}
