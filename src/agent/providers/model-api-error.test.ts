import { describe, expect, it } from 'vitest';
import { SalvoError } from '../../errors.js';
import { ModelApiError, toModelError } from './model-api-error.js';

const live = new AbortController().signal;

describe('toModelError', () => {
  it('returns the abort reason once the signal aborted, whatever the SDK threw', () => {
    const controller = new AbortController();
    const reason = new Error('cancelled');
    controller.abort(reason);
    expect(toModelError('openai', new Error('Request was aborted.'), controller.signal)).toBe(
      reason,
    );
  });

  it('names the status once, with the message of a body-less error', () => {
    const error = Object.assign(new Error('502 status code (no body)'), { status: 502 });
    const wrapped = toModelError('openai', error, live);
    expect((wrapped as Error).message).toBe('openai: 502: an empty answer, no error message');
    expect(ModelApiError.isInstance(wrapped)).toBe(true);
    expect(SalvoError.isInstance(wrapped)).toBe(true);
    expect((wrapped as Error).cause).toBe(error);
  });

  it('says a connection was lost, with its causes', () => {
    const error = new TypeError('terminated', {
      cause: Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' }),
    });
    expect((toModelError('anthropic', error, live) as Error).message).toBe(
      'anthropic: connection lost: terminated (other side closed)',
    );
  });

  it('says stream data could not be parsed', () => {
    const error = new SyntaxError('Unexpected token } in JSON');
    expect((toModelError('openai', error, live) as Error).message).toBe(
      'openai: invalid stream data: Unexpected token } in JSON',
    );
  });
});
