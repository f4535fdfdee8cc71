// `fs` with the `globSync` that Node 20 lacks (see fs-glob-hooks.mjs).
import fs from 'node:fs';

export * from 'node:fs';
export default fs;

export const globSync =
  fs.globSync ??
  (() => {
    throw new Error('fs.globSync needs Node 22 (the conformance suite called it on Node 20)');
  });
