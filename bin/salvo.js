#!/usr/bin/env node
// The salvo command. An installed package runs the compiled `dist/`; a checkout of the
// repository runs the TypeScript sources through tsx, so `npm run demo` needs no build step.
import { existsSync } from 'node:fs';

const source = new URL('../src/cli/main.ts', import.meta.url);
let entry = new URL('../dist/cli/main.js', import.meta.url);
if (existsSync(source)) {
  try {
    const { register } = await import('tsx/esm/api');
    register();
    entry = source;
  } catch {
    // No tsx (an install without dev dependencies): the compiled build it is.
  }
}
const { runMain } = await import(entry.href);
await runMain();
