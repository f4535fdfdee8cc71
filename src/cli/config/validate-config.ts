import { type ApprovalMode, approvalModes } from '../../approval/approval.js';
import { describeValue } from '../../errors.js';
import { maxTimerMs } from '../../validate-options.js';
import { closestName } from './closest-name.js';
import { ConfigError } from './config-error.js';
import { isRedisUrl } from './redis-url.js';
import { configFields, type SalvoConfig } from './salvo-config.js';
import { validateMcpServers } from './validate-mcp-servers.js';

const providers = ['anthropic', 'openai', 'openai-responses'] as const;

/**
 * Checks the parsed JSON of one config file, field by field in the file's order, and returns a
 * fresh {@link SalvoConfig} holding only known fields. Throws {@link ConfigError} on `file` for
 * the first problem: not an object, an unknown field (with the known field it most likely
 * meant), or a bad value.
 */
export function validateConfig(file: string, value: unknown): SalvoConfig {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ConfigError(
      file,
      '',
      `the file must hold a JSON object such as \`{ "model": "..." }\`, got ${describeValue(value)}`,
    );
  }
  const config: SalvoConfig = {};
  for (const [field, item] of Object.entries(value)) {
    if (!isField(field)) throw unknownField(file, field);
    setField(file, config, field, item);
  }
  return config;
}

function setField(file: string, config: SalvoConfig, field: keyof SalvoConfig, value: unknown) {
  const bad = (expected: string) => ConfigError.expected(file, field, expected, value);
  switch (field) {
    case 'provider':
      if (!providers.includes(value as never)) throw bad(quoted(providers));
      config.provider = value as SalvoConfig['provider'];
      return;
    case 'model':
      if (typeof value !== 'string' || value.trim() === '') {
        throw bad('a non-empty string (the model id)');
      }
      config.model = value;
      return;
    case 'baseUrl':
      if (!isHttpUrl(value)) throw bad('an absolute http:// or https:// URL');
      config.baseUrl = value;
      return;
    case 'approval':
      if (!approvalModes.includes(value as never)) throw bad(`one of ${quoted(approvalModes)}`);
      config.approval = value as ApprovalMode;
      return;
    case 'toolTimeoutMs':
      if (typeof value !== 'number' || !(value >= 1 && value <= maxTimerMs)) {
        throw bad(`milliseconds from 1 to ${maxTimerMs} (about 24.8 days)`);
      }
      config.toolTimeoutMs = value;
      return;
    case 'system':
      if (typeof value !== 'string') throw bad('a string (text added to the system prompt)');
      config.system = value;
      return;
    case 'mcpServers':
      config.mcpServers = validateMcpServers(file, value);
      return;
    case 'thinking':
      if (
        value !== true &&
        !(typeof value === 'number' && Number.isInteger(value) && value >= 1024)
      ) {
        throw bad('true, or a budget in tokens from 1024 up');
      }
      config.thinking = value;
      return;
    case 'maxTokens':
      if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
        throw bad('a whole number from 1 and up');
      }
      config.maxTokens = value;
      return;
    case 'temperature':
      if (typeof value !== 'number' || !(value >= 0 && value <= 2))
        throw bad('a number from 0 to 2');
      config.temperature = value;
      return;
    case 'parallelToolCalls':
      if (typeof value !== 'boolean') throw bad('true or false');
      config.parallelToolCalls = value;
      return;
    case 'batchTool':
      if (typeof value !== 'boolean') throw bad('true or false');
      config.batchTool = value;
      return;
    case 'headers': {
      const ok =
        typeof value === 'object' &&
        value !== null &&
        !Array.isArray(value) &&
        Object.values(value).every((v) => typeof v === 'string');
      if (!ok) throw bad('an object of header names to string values');
      config.headers = { ...(value as Record<string, string>) };
      return;
    }
    case 'sandbox':
      if (value !== 'workspace' && value !== 'off') throw bad(quoted(['workspace', 'off']));
      config.sandbox = value;
      return;
    case 'sandboxNetwork':
      if (typeof value !== 'boolean') throw bad('true or false');
      config.sandboxNetwork = value;
      return;
    case 'redis':
      if (!isRedisUrl(value)) {
        // Not the value itself: it may hold a password.
        throw new ConfigError(
          file,
          field,
          `\`redis\` must be a redis:// or rediss:// URL such as "redis://host:6379", got ${typeof value === 'string' ? 'a string that is not one' : describeValue(value)}`,
        );
      }
      config.redis = value;
      return;
    case 'contextWindow':
      if (typeof value !== 'number' || !Number.isInteger(value) || value < 1024) {
        throw bad('a whole number of tokens from 1024 up');
      }
      config.contextWindow = value;
      return;
    case 'maxConcurrency':
    case 'maxSubagents':
    case 'maxDepth':
    case 'maxSteps':
      if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
        throw bad('a whole number from 1 and up');
      }
      config[field] = value;
  }
}

function isField(name: string): name is keyof SalvoConfig {
  return (configFields as readonly string[]).includes(name);
}

function unknownField(file: string, field: string): ConfigError {
  const guess = closestName(field, configFields);
  const problem =
    guess === undefined
      ? `unknown field \`${field}\`; remove it or use one of ${configFields.map((f) => `\`${f}\``).join(', ')}`
      : `unknown field \`${field}\`; did you mean \`${guess}\`?`;
  return new ConfigError(file, field, problem);
}

function isHttpUrl(value: unknown): value is string {
  if (typeof value !== 'string') return false;
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}

/** `"a", "b" or "c"`. */
function quoted(values: readonly string[]): string {
  const all = values.map((v) => `"${v}"`);
  return all.length < 2 ? all.join('') : `${all.slice(0, -1).join(', ')} or ${all.at(-1)}`;
}
