import { describe, expect, it } from 'vitest';
import { isSecretVariable, scrubEnvironment } from './shell-env.js';

describe('the environment of shell commands', () => {
  it('holds no credential, by name or by value', () => {
    for (const name of [
      'ANTHROPIC_API_KEY',
      'OPENAI_API_KEY',
      'GITHUB_TOKEN',
      'AWS_SECRET_ACCESS_KEY',
      'PGPASSWORD',
      'MYSQL_PWD',
      'DATABASE_URL',
      'SENTRY_DSN',
      'SLACK_WEBHOOK_URL',
      'CI_JOB_JWT',
      'SSHPASS',
      'NETRC',
      'SSH_AUTH_SOCK',
      'NPM_TOKEN',
    ]) {
      expect(isSecretVariable(name), name).toBe(true);
    }
    expect(isSecretVariable('REDIS_ADDR', 'redis://user:hunter2@localhost:6379')).toBe(true);
    for (const name of ['PATH', 'HOME', 'PWD', 'OLDPWD', 'LANG', 'TERM', 'NODE_ENV', 'KEYBOARD']) {
      expect(isSecretVariable(name), name).toBe(false);
    }
  });

  it('passes on what the host names, and nothing undefined', () => {
    const env = scrubEnvironment(
      { PATH: '/bin', GITHUB_TOKEN: 't', NPM_TOKEN: 'n', EMPTY: undefined },
      ['NPM_TOKEN'],
    );
    expect(env).toEqual({ PATH: '/bin', NPM_TOKEN: 'n' });
  });
});
