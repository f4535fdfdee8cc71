// @ts-check
// `npm run build` (and `prepare`, so `npm ci` builds): compiles src/ into dist/ with
// tsconfig.build.json, then stamps dist/ with what it was compiled from, so bin/salvo.js can
// tell in a few milliseconds whether the build is current.
// `--if-stale`: build only when the stamp does not match the sources. `--prepare` (npm's
// `prepare`, on `npm ci` and `npm install`): a failed build is reported but does not fail the
// install (it does fail `npm pack` and `npm publish`); there is no stamp then, so bin/salvo.js
// runs the sources through tsx.
import { spawnSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildIsCurrent, snapshotSources, stampFile } from './build-stamp.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const dist = join(root, 'dist');
const prepare =
  process.argv.includes('--prepare') &&
  !['pack', 'publish'].includes(process.env.npm_command ?? '');

if (process.argv.includes('--if-stale') && buildIsCurrent(root)) {
  console.log('dist/ is current');
  process.exit(0);
}

// Taken before compiling: a file saved while tsc runs is newer than the stamp, so the build
// counts as stale rather than passing for current.
const snapshot = snapshotSources(join(root, 'src'));
let tsc;
try {
  tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
} catch {
  console.error(
    'salvo build: TypeScript is not installed; `npm ci` (with dev dependencies) first.',
  );
  process.exit(prepare ? 0 : 1);
}
// A fresh folder: no compiled leftovers of deleted sources, and no stamp until tsc succeeded.
rmSync(dist, { recursive: true, force: true });
const result = spawnSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json')], {
  stdio: 'inherit',
});
if (result.status !== 0) {
  console.error('salvo build: tsc failed; bin/salvo.js runs the sources through tsx meanwhile.');
  process.exit(prepare ? 0 : (result.status ?? 1));
}
writeFileSync(join(dist, stampFile), `${JSON.stringify(snapshot)}\n`);
