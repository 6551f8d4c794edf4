import { Layout } from '../layout.js';

export function OpenAiKeyPage({ hasKey, error }: { hasKey: boolean; error?: string | undefined }) {
  return (
    <Layout title="OpenAI key">
      <h1>{hasKey ? 'Replace your OpenAI key' : 'Add your OpenAI key'}</h1>
      <p>
        The key lets the service ask a model which mail is disposable. It is stored encrypted and
        never shown again.
      </p>
      {error ? <p role="alert">{error}</p> : null}
      <form method="post" action="/app/openai-key">
        <label for="apiKey">OpenAI API key</label>
        <input id="apiKey" name="apiKey" type="password" autocomplete="off" required />
        <button type="submit">Save key</button>
      </form>
      <form method="post" action="/app/openai-key">
        <input type="hidden" name="rulesOnly" value="1" />
        <button type="submit">Use simple rules instead (no key)</button>
      </form>
    </Layout>
  );
}
