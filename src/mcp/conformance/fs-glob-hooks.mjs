// Module hooks for the conformance suite's process: its 0.1.14+ builds import `globSync` from
// `fs` (Node 22+) at load time, though the client scenarios never call it. On Node 20 the
// suite's `fs` import resolves to fs-glob-shim.mjs, which adds the missing export.
export async function resolve(specifier, context, next) {
  const fromSuite = context.parentURL?.includes('/@modelcontextprotocol/conformance/') === true;
  if (fromSuite && (specifier === 'fs' || specifier === 'node:fs')) {
    return { url: new URL('./fs-glob-shim.mjs', import.meta.url).href, shortCircuit: true };
  }
  return next(specifier, context);
}
