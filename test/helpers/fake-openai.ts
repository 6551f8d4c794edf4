import { Hono } from 'hono';
import {
  type Answer,
  decideMessage,
  decidePart,
  decideSender,
  obeyInjection,
  type ReadPrompt,
  readPrompt,
} from './fake-openai-model.js';
import { type Listening, listen } from './listen.js';

/**
 * A local stand-in for the OpenAI API that speaks its wire format: Bearer keys, GET
 * /v1/models/{id}, POST /v1/chat/completions with a strict json_schema response format,
 * usage in tokens, and errors as `{error: {message, type, param, code}}`. Faults are queued
 * with `failNext`; `gullible` makes the model obey instructions it finds inside emails.
 */

export const VALID_KEY = 'sk-test-valid-0123456789abcdef';

export type Fault =
  | { readonly kind: 'rate_limit'; readonly retryAfter?: string }
  | { readonly kind: 'insufficient_quota' }
  | { readonly kind: 'server_error' }
  | { readonly kind: 'hang' }
  | { readonly kind: 'refusal' }
  | { readonly kind: 'malformed' }
  | { readonly kind: 'wrong_shape' }
  | { readonly kind: 'cut_off' }
  /** Answers only the first id. */
  | { readonly kind: 'partial' };

export interface SeenRequest {
  readonly key: string;
  readonly model: string;
  readonly prompt: ReadPrompt;
  readonly body: Readonly<Record<string, unknown>>;
}

export interface FakeOpenAi {
  /** The base URL as OPENAI_BASE_URL takes it (with /v1). */
  readonly baseUrl: string;
  readonly requests: SeenRequest[];
  readonly stats: {
    calls: number;
    promptTokens: number;
    completionTokens: number;
    keyChecks: number;
  };
  readonly keys: Set<string>;
  /** Keys whose quota is exhausted: every completion answers 429 insufficient_quota. */
  readonly broke: Set<string>;
  failNext(...faults: Fault[]): void;
  /** Asked for every request when no queued fault is left: the fault to answer with, if any. */
  faultFor: ((request: SeenRequest) => Fault | undefined) | undefined;
  /** Every fault answered so far, in order. */
  readonly injected: Fault['kind'][];
  gullible: boolean;
  /** Answer "trash" for every sender and every message, whatever it is. */
  trashAll: boolean;
  /** Quote a rejected key in the error message in full (OpenAI quotes it half masked). */
  echoKeys: boolean;
  close(): Promise<void>;
}

/** About 3.5 characters a token for JSON-heavy English: a little above OpenAI's tokenizer. */
export const tokens = (text: string) => Math.ceil(text.length / 3.5);

const error = (message: string, type: string, code: string | null) => ({
  error: { message, type, param: null, code },
});

export async function startFakeOpenAi(models: readonly string[] = ['gpt-5-nano']) {
  const faults: Fault[] = [];
  const hanging = new Set<() => void>();
  const state = {
    requests: [] as SeenRequest[],
    stats: { calls: 0, promptTokens: 0, completionTokens: 0, keyChecks: 0 },
    keys: new Set([VALID_KEY]),
    broke: new Set<string>(),
    gullible: false,
    trashAll: false,
    echoKeys: false,
    faultFor: undefined as FakeOpenAi['faultFor'],
    injected: [] as Fault['kind'][],
  };
  const app = new Hono();

  app.use('/v1/*', async (c, next) => {
    if (c.req.path === '/v1/chat/completions') state.stats.calls++;
    if (c.req.path.startsWith('/v1/models')) state.stats.keyChecks++;
    const key = (c.req.header('authorization') ?? '').replace(/^Bearer /, '');
    if (!state.keys.has(key)) {
      const quoted = state.echoKeys ? `: ${key}` : '';
      return c.json(
        error(`Incorrect API key provided${quoted}.`, 'invalid_request_error', 'invalid_api_key'),
        401,
      );
    }
    return next();
  });

  app.get('/v1/models/:model', (c) => {
    const id = c.req.param('model');
    if (!models.includes(id)) {
      return c.json(
        error(`The model '${id}' does not exist`, 'invalid_request_error', 'model_not_found'),
        404,
      );
    }
    return c.json({ id, object: 'model', created: 1_700_000_000, owned_by: 'openai' });
  });

  app.post('/v1/chat/completions', async (c) => {
    const key = (c.req.header('authorization') ?? '').replace(/^Bearer /, '');
    const body = (await c.req.json()) as Record<string, unknown>;
    if (state.broke.has(key)) {
      return c.json(
        error('You exceeded your current quota.', 'insufficient_quota', 'insufficient_quota'),
        429,
      );
    }
    const format = body.response_format as {
      type?: string;
      json_schema?: { name?: string; strict?: boolean };
    };
    if (format?.type !== 'json_schema' || format.json_schema?.strict !== true) {
      return c.json(
        error('response_format must be a strict json_schema', 'invalid_request_error', null),
        400,
      );
    }
    const messages = body.messages as { role: string; content: string }[];
    const system = messages.find((m) => m.role === 'system')?.content ?? '';
    const user = messages.find((m) => m.role === 'user')?.content ?? '';
    const prompt = readPrompt(format.json_schema?.name ?? '', system, user);
    const seen: SeenRequest = { key, model: String(body.model), prompt, body };
    state.requests.push(seen);

    const fault = faults.shift() ?? state.faultFor?.(seen);
    if (fault) state.injected.push(fault.kind);
    if (fault?.kind === 'rate_limit') {
      if (fault.retryAfter !== undefined) c.header('retry-after', fault.retryAfter);
      return c.json(
        error('Rate limit reached for requests', 'requests', 'rate_limit_exceeded'),
        429,
      );
    }
    if (fault?.kind === 'insufficient_quota') {
      return c.json(
        error('You exceeded your current quota.', 'insufficient_quota', 'insufficient_quota'),
        429,
      );
    }
    if (fault?.kind === 'server_error') {
      return c.json(error('The server had an error.', 'server_error', null), 500);
    }
    if (fault?.kind === 'hang') {
      // Answers only when the test closes the server: the client times out first.
      await new Promise<void>((resolve) => hanging.add(resolve));
      return c.json(error('closed', 'server_error', null), 500);
    }

    let answers = state.trashAll
      ? prompt.items.map((item) => ({ id: String(item.id), action: 'trash', reason: 'all junk' }))
      : ((state.gullible ? obeyInjection(prompt) : null) ?? decide(prompt));
    if (fault?.kind === 'partial') answers = answers.slice(0, 1);
    const listKey =
      prompt.kind === 'senders' ? 'senders' : prompt.kind === 'parts' ? 'parts' : 'messages';
    const { content, refusal, finish } = render(fault, JSON.stringify({ [listKey]: answers }));

    const promptTokens = messages.reduce((n, m) => n + 4 + tokens(m.content), 0);
    const completionTokens = tokens(content ?? refusal ?? '');
    state.stats.promptTokens += promptTokens;
    state.stats.completionTokens += completionTokens;
    return c.json({
      id: `chatcmpl-${state.stats.calls}`,
      object: 'chat.completion',
      created: 1_700_000_000,
      model: String(body.model),
      choices: [
        {
          index: 0,
          message: { role: 'assistant', content, refusal, annotations: [] },
          logprobs: null,
          finish_reason: finish,
        },
      ],
      usage: {
        prompt_tokens: promptTokens,
        completion_tokens: completionTokens,
        total_tokens: promptTokens + completionTokens,
        prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
        completion_tokens_details: { reasoning_tokens: 0, audio_tokens: 0 },
      },
    });
  });

  const server: Listening = await listen(app.fetch);
  const fake: FakeOpenAi = Object.assign(state, {
    baseUrl: `${server.url}/v1`,
    failNext: (...more: Fault[]) => void faults.push(...more),
    close: async () => {
      for (const resolve of hanging) resolve();
      await server.close();
    },
  });
  return fake;
}

function decide(prompt: ReadPrompt): Answer[] {
  const rule =
    prompt.kind === 'senders' ? decideSender : prompt.kind === 'parts' ? decidePart : decideMessage;
  return prompt.items.map((item) => rule(item, prompt.preferences));
}

/** The assistant message for an answer, spoiled the way the fault says. */
function render(fault: Fault | undefined, json: string) {
  const answer = { content: json as string | null, refusal: null as string | null, finish: 'stop' };
  if (fault?.kind === 'refusal') {
    return { ...answer, content: null, refusal: "I'm sorry, I can't help with that." };
  }
  if (fault?.kind === 'malformed') return { ...answer, content: json.slice(0, json.length >> 1) };
  if (fault?.kind === 'wrong_shape') return { ...answer, content: '{"verdict":"trash all"}' };
  if (fault?.kind === 'cut_off') return { ...answer, content: json.slice(0, 40), finish: 'length' };
  return answer;
}
