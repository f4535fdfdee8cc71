#!/usr/bin/env node
// The salvo command. It runs the compiled build in dist/: an installed package has nothing else,
// and a checkout builds it on `npm ci` (the `prepare` script). In a checkout whose src/ changed
// since that build, it runs the sources through tsx instead, so an edit shows without a build.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = new URL('..', import.meta.url);
const build = new URL('dist/cli/main.js', root);
const source = new URL('src/cli/main.ts', root);

/** The sources through tsx; false when tsx is not installed (an install without dev tools). */
async function registerTsx() {
  try {
    const { register } = await import('tsx/esm/api');
    register();
    return true;
  } catch {
    return false;
  }
}

let entry = build;
if (existsSync(source)) {
  // A checkout. The freshness check lives beside the build script, which only a checkout has.
  const { buildIsCurrent } = await import('../scripts/build-stamp.js');
  if (!buildIsCurrent(fileURLToPath(root)) && (await registerTsx())) entry = source;
}
if (entry === build && !existsSync(build)) {
  process.stderr.write(
    'salvo: there is no build in dist/ and no tsx to run the sources: run `npm run build` (or `npm ci`).\n',
  );
  process.exit(1);
}
const { runMain } = await import(entry.href);
await runMain();
