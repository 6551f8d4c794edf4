import type { KeyCheck } from '../../domain/ports.js';
import { createOpenAiClient, type OpenAiSettings } from './openai-client.js';
import { describeOpenAiError } from './openai-errors.js';

/**
 * Checks a key before it is stored, with a call that costs nothing: retrieving the configured
 * model (GET /v1/models/{model}) proves that the key is valid and may use that model. Nothing
 * about the key is logged or echoed back.
 */
export async function checkOpenAiKey(apiKey: string, settings: OpenAiSettings): Promise<KeyCheck> {
  const client = createOpenAiClient(apiKey, settings);
  try {
    await client.models.retrieve(settings.model);
    return { ok: true };
  } catch (error) {
    const failure = describeOpenAiError(error);
    const modelRefused = `This key may not use the model ${settings.model}: allow it in your OpenAI project, or use another key.`;
    if (failure.kind === 'pause') {
      if (failure.reason === 'quota_exhausted') {
        return { ok: false, message: 'This key has no OpenAI quota left: add credit first.' };
      }
      if (failure.reason === 'model_refused') return { ok: false, message: modelRefused };
      return {
        ok: false,
        message: 'OpenAI rejected this key: check that you copied all of it, or create a new one.',
      };
    }
    // A model the key's project cannot see is a plain 404 on this endpoint.
    if (failure.kind === 'failed' && failure.reason === 'request rejected (404)') {
      return { ok: false, message: modelRefused };
    }
    return {
      ok: false,
      message: 'OpenAI could not check the key just now: try again in a minute.',
    };
  }
}
