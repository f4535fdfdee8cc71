// @ts-check
// The README's quick-start commands: the lines of its first ```sh block. `.ci/run` runs exactly
// these, so CI and the README cannot drift apart. Run as a script, prints them one per line.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * The command lines of the first ```sh block of `markdown`: blank lines and whole-line comments
 * left out; a comment after a command is kept, since the shell that runs the line drops it
 * exactly as sh does (a `#` inside quotes is no comment).
 * @param {string} markdown
 * @returns {string[]}
 */
export function quickStartCommands(markdown) {
  const lines = markdown.split(/\r?\n/);
  const start = lines.findIndex((line) => /^```sh\s*$/.test(line));
  if (start === -1) throw new Error('the README has no ```sh block');
  const end = lines.findIndex((line, i) => i > start && /^```\s*$/.test(line));
  if (end === -1) throw new Error("the README's first ```sh block is not closed");
  const commands = lines
    .slice(start + 1, end)
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
  if (commands.length === 0) throw new Error("the README's first ```sh block has no command");
  return commands;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const readme = process.argv[2] ?? fileURLToPath(new URL('../README.md', import.meta.url));
  try {
    for (const command of quickStartCommands(readFileSync(readme, 'utf8'))) console.log(command);
  } catch (error) {
    console.error(`readme-commands: ${error instanceof Error ? error.message : error}`);
    process.exit(1);
  }
}
