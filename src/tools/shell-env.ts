/**
 * Names of environment variables that hold credentials: provider keys, tokens, passwords, agent
 * sockets. They never reach a shell command, which may print them (`env`) or send them away.
 */
const secretName =
  /(?:^|_)(?:API_?KEY|KEY|KEYS|TOKEN|TOKENS|SECRET|SECRETS|PASSWORD|PASSWD|PASSPHRASE|PASS|CREDENTIAL|CREDENTIALS|AUTH|COOKIE|SESSION|PRIVATE|PAT)(?:_|$)/i;

/** Prefixes of variables that configure an agent's providers or a cloud account. */
const secretPrefixes = [
  'ANTHROPIC_',
  'OPENAI_',
  'AZURE_',
  'AWS_',
  'GOOGLE_',
  'GEMINI_',
  'GROQ_',
  'MISTRAL_',
  'DEEPSEEK_',
  'OPENROUTER_',
  'HF_',
  'HUGGING',
  'SALVO_',
  'SSH_AUTH_SOCK',
  'SSH_AGENT',
  'GPG_AGENT',
  'NPM_CONFIG__AUTH',
];

/** More names that hold credentials: passwords by other names, DSNs, webhooks, tokens. */
const secretSuffix =
  /(?:_PWD|PASS|PASSWORD|PASSWD|TOKEN|SECRET|_DSN|WEBHOOK|WEBHOOK_URL|_JWT|NETRC|DATABASE_URL|_URI)$/i;

/** A URL with a user and a password in it (`postgres://u:p@host/db`). */
const credentialUrl = /:\/\/[^/\s:@]+:[^/\s@]+@/;

/**
 * True when a variable of this name (and value) is a credential a shell command must not see.
 * `PWD` and `OLDPWD`, the working folders, are not.
 */
export function isSecretVariable(name: string, value?: string): boolean {
  const upper = name.toUpperCase();
  if (upper === 'PWD' || upper === 'OLDPWD') return false;
  return (
    secretName.test(upper) ||
    secretSuffix.test(upper) ||
    secretPrefixes.some((p) => upper.startsWith(p)) ||
    (value !== undefined && credentialUrl.test(value))
  );
}

/**
 * The environment a shell command gets: `env` without credentials, except the names the host
 * passes on by name (`keep`).
 */
export function scrubEnvironment(
  env: NodeJS.ProcessEnv,
  keep: readonly string[] = [],
): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined) continue;
    if (isSecretVariable(name, value) && !keep.includes(name)) continue;
    out[name] = value;
  }
  return out;
}
