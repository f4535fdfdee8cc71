import type { Model } from '../agent/model.js';
import { anthropicModel } from '../agent/providers/anthropic-model.js';
import { openAIModel } from '../agent/providers/openai-model.js';
import { CliError } from './cli-error.js';
import type { SalvoConfig } from './config/load-config.js';

export type ProviderName = 'anthropic' | 'openai';

export const providerNames: readonly ProviderName[] = ['anthropic', 'openai'];

/** The model ids used when neither `--model` nor the config names one. */
export const defaultModels: Record<ProviderName, string> = {
  anthropic: 'claude-sonnet-5-5',
  openai: 'gpt-4.1',
};

export interface ProviderChoice {
  provider: ProviderName;
  model: string;
  baseUrl: string | undefined;
}

export interface ProviderFlags {
  provider?: string;
  model?: string;
  baseUrl?: string;
}

type Env = Readonly<Record<string, string | undefined>>;

const noProvider =
  'no model provider: set ANTHROPIC_API_KEY or OPENAI_API_KEY (OPENAI_BASE_URL for a local server such as Ollama), or `provider` in salvo.json; `salvo demo` needs none';

/**
 * Which provider, model and server to use: flags first, then the config, then the environment
 * (`ANTHROPIC_API_KEY`, then `OPENAI_API_KEY` or `OPENAI_BASE_URL`). Throws a `CliError` that
 * says what to set when something is missing.
 */
export function chooseProvider(
  flags: ProviderFlags,
  config: SalvoConfig,
  env: Env,
): ProviderChoice {
  const named = flags.provider ?? config.provider;
  if (named !== undefined && !providerNames.includes(named as ProviderName)) {
    throw new CliError(`--provider must be anthropic or openai, got ${JSON.stringify(named)}`);
  }
  const provider: ProviderName | undefined =
    (named as ProviderName | undefined) ??
    (env.ANTHROPIC_API_KEY ? 'anthropic' : undefined) ??
    (env.OPENAI_API_KEY || env.OPENAI_BASE_URL ? 'openai' : undefined);
  if (!provider) throw new CliError(noProvider);
  // An empty variable counts as unset, as shells and SDKs treat it.
  const envName = provider === 'anthropic' ? 'ANTHROPIC_BASE_URL' : 'OPENAI_BASE_URL';
  const fromEnv = env[envName] || undefined;
  const [baseUrl, source] =
    flags.baseUrl !== undefined
      ? [flags.baseUrl, '--base-url']
      : config.baseUrl !== undefined
        ? [config.baseUrl, '`baseUrl` in the config']
        : [fromEnv, envName];
  if (baseUrl !== undefined && !isHttpUrl(baseUrl)) {
    throw new CliError(`${source} must be an http(s) URL, got ${JSON.stringify(baseUrl)}`);
  }
  const model = flags.model ?? config.model;
  if (model === '') throw new CliError('--model must not be empty');
  if (model === undefined && provider === 'openai' && baseUrl !== undefined) {
    throw new CliError(
      `which model should ${baseUrl} run? Pass --model (such as --model qwen3:8b) or set \`model\` in salvo.json`,
    );
  }
  if (provider === 'anthropic' && !env.ANTHROPIC_API_KEY) {
    throw new CliError('ANTHROPIC_API_KEY is not set: export it, or choose --provider openai');
  }
  if (provider === 'openai' && !env.OPENAI_API_KEY && baseUrl === undefined) {
    throw new CliError(
      'OPENAI_API_KEY is not set: export it, or set OPENAI_BASE_URL for a local server such as Ollama',
    );
  }
  return { provider, model: model ?? defaultModels[provider], baseUrl };
}

/** The model for a choice; keys come from the environment. */
export function createModel(choice: ProviderChoice, env: Env): Model {
  if (choice.provider === 'anthropic') {
    // The SDKs' own console logging would add lines around salvo's one-line errors.
    return anthropicModel({
      model: choice.model,
      logLevel: 'off',
      ...(env.ANTHROPIC_API_KEY ? { apiKey: env.ANTHROPIC_API_KEY } : {}),
      ...(choice.baseUrl ? { baseURL: choice.baseUrl } : {}),
    });
  }
  return openAIModel({
    model: choice.model,
    logLevel: 'off',
    ...(env.OPENAI_API_KEY ? { apiKey: env.OPENAI_API_KEY } : {}),
    ...(choice.baseUrl ? { baseURL: choice.baseUrl } : {}),
  });
}

function isHttpUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}
