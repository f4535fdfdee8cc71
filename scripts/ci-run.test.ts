import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { quickStartCommands } from './readme-commands.js';

// .ci/run must run exactly the README's quick-start commands: the two cannot drift apart.
const read = (path: string) => readFileSync(new URL(`../${path}`, import.meta.url), 'utf8');

/** A command line without its trailing comment. */
const bare = (line: string) => line.replace(/\s+#.*$/, '').trim();

/** The commands of .ci/run: its lines after `set -x`, comments and blanks left out. */
function ciCommands(script: string): string[] {
  const lines = script.split('\n');
  const start = lines.findIndex((line) => line.trim() === 'set -x');
  return lines
    .slice(start + 1)
    .map(bare)
    .filter((line) => line !== '' && !line.startsWith('#'));
}

describe('.ci/run', () => {
  it("runs exactly the README's quick-start commands, in order", () => {
    const readme = quickStartCommands(read('README.md')).map(bare);
    expect(readme).toEqual(['npm ci && npm run demo', 'npm ci && npm run setup && npm test']);
    expect(ciCommands(read('.ci/run'))).toEqual(readme);
  });

  it('stops at the first command that fails', () => {
    expect(read('.ci/run')).toMatch(/^set -euo pipefail$/m);
  });
});
