import OpenAI from 'openai';

export interface OpenAiSettings {
  /** Undefined means OpenAI itself. Includes the `/v1` path, as the SDK expects. */
  readonly baseUrl: string | undefined;
  readonly model: string;
  readonly timeoutMs: number;
}

export const OPENAI_API = 'https://api.openai.com/v1';

/**
 * An SDK client for one user's key. Everything is passed explicitly, so the SDK reads no
 * environment variable; it retries nothing itself (the callers decide what a retry can fix)
 * and logs nothing (the key must never reach a log).
 */
export function createOpenAiClient(apiKey: string, settings: OpenAiSettings): OpenAI {
  return new OpenAI({
    apiKey,
    baseURL: settings.baseUrl ?? OPENAI_API,
    organization: null,
    project: null,
    webhookSecret: null,
    maxRetries: 0,
    timeout: settings.timeoutMs,
    logLevel: 'off',
  });
}
