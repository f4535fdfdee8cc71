import { describe, expect, it } from 'vitest';
import { CliError } from './cli-error.js';
import { chooseProvider, defaultModels } from './provider.js';

describe('chooseProvider', () => {
  it('takes flags over the config over the environment', () => {
    const env = { ANTHROPIC_API_KEY: 'a', OPENAI_API_KEY: 'o' };
    expect(chooseProvider({}, {}, env)).toEqual({
      provider: 'anthropic',
      model: defaultModels.anthropic,
      baseUrl: undefined,
    });
    expect(chooseProvider({}, { provider: 'openai', model: 'gpt-x' }, env)).toMatchObject({
      provider: 'openai',
      model: 'gpt-x',
    });
    expect(
      chooseProvider({ provider: 'anthropic', model: 'm' }, { provider: 'openai' }, env),
    ).toMatchObject({ provider: 'anthropic', model: 'm' });
  });

  it('counts an empty base URL variable as unset', () => {
    expect(chooseProvider({}, {}, { OPENAI_API_KEY: 'o', OPENAI_BASE_URL: '' })).toMatchObject({
      provider: 'openai',
      baseUrl: undefined,
    });
  });

  it('names where a bad base URL came from', () => {
    const bad = (flags: object, config: object, env: Record<string, string>) => () =>
      chooseProvider(flags, config, env);
    expect(bad({}, {}, { OPENAI_BASE_URL: '/v1' })).toThrow(
      'OPENAI_BASE_URL must be an http(s) URL, got "/v1"',
    );
    expect(bad({}, {}, { ANTHROPIC_API_KEY: 'a', ANTHROPIC_BASE_URL: 'nope' })).toThrow(
      /^ANTHROPIC_BASE_URL must/,
    );
    expect(bad({}, { baseUrl: 'x' }, { OPENAI_API_KEY: 'o' })).toThrow(/^`baseUrl` in the config/);
    expect(bad({ baseUrl: 'ftp://x' }, {}, { OPENAI_API_KEY: 'o' })).toThrow(/^--base-url must/);
    expect(bad({ baseUrl: 'ftp://x' }, {}, { OPENAI_API_KEY: 'o' })).toThrow(CliError);
  });

  it('says what to set when nothing names a provider, or a local server needs a model', () => {
    expect(() => chooseProvider({}, {}, {})).toThrow(/set ANTHROPIC_API_KEY or OPENAI_API_KEY/);
    expect(() => chooseProvider({}, {}, { OPENAI_BASE_URL: 'http://127.0.0.1:11434/v1' })).toThrow(
      /Pass --model/,
    );
  });
});
