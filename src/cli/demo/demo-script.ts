/** A tool call in a scripted step, before ids are given. */
export interface ScriptCall {
  name: string;
  input: Record<string, unknown>;
}

/** What a scripted agent says and calls in one response; no calls ends its run. */
export interface ScriptStep {
  text: string;
  calls: ScriptCall[];
}

/** Shorthand for a call. */
export function call(name: string, input: Record<string, unknown>): ScriptCall {
  return { name, input };
}

/**
 * The call as the model may make it with the tools it was offered: an MCP file read becomes
 * `read_file`, a directory tree a glob, and memory writes are left out when their server is
 * missing. `undefined` drops the call.
 */
export function adaptCall(
  scripted: ScriptCall,
  offered: ReadonlySet<string>,
): ScriptCall | undefined {
  if (offered.has(scripted.name)) return scripted;
  const path = scripted.input.path;
  switch (scripted.name) {
    case 'files__read_text_file':
      return offered.has('read_file') ? call('read_file', { path }) : undefined;
    case 'files__directory_tree':
      return offered.has('glob') ? call('glob', { pattern: '**/*' }) : undefined;
    default:
      return undefined;
  }
}
