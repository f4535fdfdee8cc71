import { ModelApiError } from '../agent/providers/model-api-error.js';
import { baseUrlAdvice } from '../agent/providers/server-reply.js';
import { oneLine } from './cli-error.js';
import type { ProviderChoice } from './provider.js';

const apiNames: Record<string, string> = {
  anthropic: 'the Anthropic API',
  openai: 'an OpenAI-compatible API',
  'openai-responses': 'the OpenAI Responses API',
};

/**
 * A run's failure in one line, by what failed (never by the words of the server's message):
 * a server that cannot be reached, a connection broken mid-answer, or an answer that is not the
 * API's at all (a 404 page, a 200 that is not a stream), with what to change: ``check
 * --base-url (it should end in /v1 for OpenAI-compatible servers)``.
 */
export function describeFailure(
  choice: Pick<ProviderChoice, 'provider' | 'baseUrl'>,
  error: Error,
): string {
  const text = oneLine(error);
  const where = choice.baseUrl ?? `the ${choice.provider} API`;
  if (!ModelApiError.isInstance(error)) return text;
  if (error.hint === 'base-url' && error.reply) return notTheApi(choice, error, where);
  switch (error.kind) {
    case 'connection':
      return `cannot reach ${where}: ${text}`;
    case 'connection-lost':
      // A stream cut after it began reached the server: that is not "cannot reach".
      return `the connection to ${where} broke mid-answer: ${text}`;
    default:
      return text;
  }
}

/** ``<url> answered 404 text/html (“Not Found”), not an OpenAI-compatible API: check --base-url (...)``. */
function notTheApi(
  choice: Pick<ProviderChoice, 'provider' | 'baseUrl'>,
  error: ModelApiError,
  where: string,
): string {
  const reply = error.reply as NonNullable<ModelApiError['reply']>;
  const what = [reply.status, reply.contentType || 'with no content type'].join(' ');
  const excerpt = reply.excerpt === '' ? '' : ` (“${oneLine(reply.excerpt)}”)`;
  const api = apiNames[choice.provider] ?? `the ${choice.provider} API`;
  const answered =
    reply.status === 200 && error.kind === 'invalid-data'
      ? `${where} answered ${what}${excerpt} instead of an event stream`
      : `${where} answered ${what}${excerpt}, not ${api}`;
  // The official API's own URL is not the user's to fix: say only what came back.
  if (choice.baseUrl === undefined) return answered;
  return `${answered}: check --base-url (${baseUrlAdvice(choice.provider)})`;
}
