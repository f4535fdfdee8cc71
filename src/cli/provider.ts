import type { Model } from '../agent/model.js';
import { anthropicModel } from '../agent/providers/anthropic-model.js';
import { openAIModel } from '../agent/providers/openai-model.js';
import { openAIResponsesModel } from '../agent/providers/openai-responses-model.js';
import { CliError } from './cli-error.js';
import type { SalvoConfig } from './config/load-config.js';
import { type ProviderName, providerNames } from './provider-names.js';

export { type ProviderName, providerNames };

/** The model ids used when neither `--model` nor the config names one. */
export const defaultModels: Record<ProviderName, string> = {
  anthropic: 'claude-sonnet-5-5',
  openai: 'gpt-4.1',
  'openai-responses': 'gpt-5',
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
    throw new CliError(
      `--provider must be anthropic, openai or openai-responses, got ${JSON.stringify(named)}`,
    );
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
  if (model === undefined && provider !== 'anthropic' && baseUrl !== undefined) {
    throw new CliError(
      `which model should ${baseUrl} run? Pass --model (such as --model qwen3:8b) or set \`model\` in salvo.json`,
    );
  }
  if (provider === 'anthropic' && !env.ANTHROPIC_API_KEY) {
    throw new CliError('ANTHROPIC_API_KEY is not set: export it, or choose --provider openai');
  }
  if (provider !== 'anthropic' && !env.OPENAI_API_KEY && baseUrl === undefined) {
    throw new CliError(
      'OPENAI_API_KEY is not set: export it, or set OPENAI_BASE_URL for a local server such as Ollama',
    );
  }
  return { provider, model: model ?? defaultModels[provider], baseUrl };
}

/** How the model is asked, beyond which model: from flags and the config. */
export interface ModelSettings {
  /** Reasoning: a thinking budget in tokens (Anthropic), or `true` for the default. */
  thinking?: number | true | undefined;
  maxTokens?: number | undefined;
  temperature?: number | undefined;
  parallelToolCalls?: boolean | undefined;
  headers?: Record<string, string> | undefined;
}

/** The thinking budget `--thinking` alone gives. */
export const defaultThinkingBudget = 8000;

/** The model for a choice; keys come from the environment. */
export function createModel(choice: ProviderChoice, env: Env, settings: ModelSettings = {}): Model {
  const { thinking, maxTokens, temperature, parallelToolCalls, headers } = settings;
  const budget = thinking === true ? defaultThinkingBudget : thinking;
  const common = {
    model: choice.model,
    // The SDKs' own console logging would add lines around salvo's one-line errors.
    logLevel: 'off' as const,
    ...(maxTokens === undefined ? {} : { maxTokens }),
    ...(temperature === undefined ? {} : { temperature }),
    ...(parallelToolCalls === undefined ? {} : { parallelToolCalls }),
    ...(headers === undefined ? {} : { headers }),
  };
  if (choice.provider === 'anthropic') {
    return anthropicModel({
      ...common,
      ...(budget === undefined ? {} : { thinking: { budgetTokens: Math.max(1024, budget) } }),
      ...(env.ANTHROPIC_API_KEY ? { apiKey: env.ANTHROPIC_API_KEY } : {}),
      ...(choice.baseUrl ? { baseURL: choice.baseUrl } : {}),
    });
  }
  if (choice.provider === 'openai-responses') {
    return openAIResponsesModel({
      ...common,
      ...(budget === undefined ? {} : { reasoningEffort: effortFor(budget) }),
      ...(env.OPENAI_API_KEY ? { apiKey: env.OPENAI_API_KEY } : {}),
      ...(choice.baseUrl ? { baseURL: choice.baseUrl } : {}),
    });
  }
  return openAIModel({
    ...common,
    // OpenAI's reasoning models take an effort, not a budget.
    ...(budget === undefined ? {} : { reasoningEffort: effortFor(budget) }),
    ...(env.OPENAI_API_KEY ? { apiKey: env.OPENAI_API_KEY } : {}),
    ...(choice.baseUrl ? { baseURL: choice.baseUrl } : {}),
  });
}

function effortFor(budget: number): 'low' | 'medium' | 'high' {
  return budget >= 16_000 ? 'high' : budget >= 4_000 ? 'medium' : 'low';
}

function isHttpUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}
