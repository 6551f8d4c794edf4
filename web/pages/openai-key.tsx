import { Layout } from '../layout.js';

export function OpenAiKeyPage({ hasKey, error }: { hasKey: boolean; error?: string | undefined }) {
  return (
    <Layout title="OpenAI key" signedIn current="key">
      <h1>{hasKey ? 'Replace your OpenAI key' : 'Add your OpenAI key'}</h1>
      <p class="lede">
        With a key, an OpenAI model decides which mail is disposable, from metadata only (sender,
        subject, snippet, labels, size). Calls are billed to your OpenAI account; each run shows its
        estimated cost.
      </p>
      {error ? (
        <div class="alert" role="alert" id="key-error">
          <p>{error}</p>
        </div>
      ) : null}
      <section class="card" aria-labelledby="key-heading">
        <h2 id="key-heading">Use OpenAI</h2>
        <form method="post" action="/app/openai-key" class="stack">
          <label for="apiKey">OpenAI API key</label>
          <input
            id="apiKey"
            name="apiKey"
            type="password"
            autocomplete="off"
            spellcheck={false}
            required
            placeholder="sk-…"
            aria-describedby={error ? 'key-help key-error' : 'key-help'}
            aria-invalid={error ? 'true' : undefined}
          />
          <p id="key-help" class="muted">
            Checked with one small call before it is stored; stored encrypted, never shown again.
            You can replace it at any time.
          </p>
          <button type="submit" class="button primary">
            Check and save key
          </button>
        </form>
      </section>
      <section class="card" aria-labelledby="rules-heading">
        <h2 id="rules-heading">Or use simple rules</h2>
        <p>
          No key and no cost: only promotions and social mail with an unsubscribe link, older than
          30 days and not marked important, go to Trash.
          {hasKey ? ' Your saved key is deleted.' : ''}
        </p>
        <form method="post" action="/app/openai-key">
          <input type="hidden" name="rulesOnly" value="1" />
          <button type="submit" class="button">
            Use simple rules instead
          </button>
        </form>
      </section>
    </Layout>
  );
}
