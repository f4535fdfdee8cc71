/**
 * The default system-prompt section that tells a model how salvo runs its tool calls, so it asks
 * for independent work together instead of one call per response.
 */
export const parallelToolGuidance = [
  '# Tool use',
  'When you need several independent things (reading files, searching, running read-only',
  'commands, delegating tasks), request all of them in one response: they run at the same time.',
  'Calls that touch the same resource run in the order you give them, so you may also send a',
  'read, an edit of that file and a read of the result together. Every call gets its own result,',
  'in the order of your calls; a failed call never cancels the others.',
].join('\n');

/** The system prompt with the guidance appended (or replaced by the host's, or left out). */
export function systemPrompt(
  system: string | undefined,
  guidance: string | false | undefined,
): string {
  const section = guidance === false ? '' : (guidance ?? parallelToolGuidance);
  return [system ?? '', section].filter((part) => part.trim() !== '').join('\n\n');
}
