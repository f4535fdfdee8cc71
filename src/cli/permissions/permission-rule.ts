import { visibleText } from '../progress/index.js';
import { protectedPart, protectedSummary } from './protected-paths.js';
import { describeShellPrefix, sameWords, validRulePrefix } from './shell-rule-prefix.js';

export { protectedPart };

/**
 * What the user allowed for good (for the session, or saved for the project):
 * - `shell`: commands whose every part has exactly this prefix (`npm test`, `git commit`);
 * - `edits`: edit_file and write_file calls in the workspace, or only in `folder`, except the
 *   files that make other programs run commands (see `protected-paths.ts`);
 * - `tool`: every call of one other tool (an MCP tool, a subagent tool).
 */
export type PermissionRule =
  | { kind: 'shell'; words: readonly string[] }
  | { kind: 'edits'; folder?: string }
  | { kind: 'tool'; name: string };

export const shellToolName = 'shell';
export const editToolNames: readonly string[] = ['edit_file', 'write_file'];

/** Tools whose calls only rules of their own kind allow: a `tool` rule never names them. */
export function hasOwnRuleKind(toolName: string): boolean {
  return toolName === shellToolName || editToolNames.includes(toolName);
}

/** True when `relative` (workspace-relative, `/`-separated) is `folder` or inside it. */
export function inFolder(relative: string, folder: string | undefined): boolean {
  return folder === undefined || relative === folder || relative.startsWith(`${folder}/`);
}

export function sameRule(a: PermissionRule, b: PermissionRule): boolean {
  if (a.kind === 'shell' && b.kind === 'shell') return sameWords(a.words, b.words);
  if (a.kind === 'edits' && b.kind === 'edits') return a.folder === b.folder;
  if (a.kind === 'tool' && b.kind === 'tool') return a.name === b.name;
  return false;
}

/** One line for `/permissions`: `shell: npm test …`, `edits: every file …`, `tool: x`. */
export function describeRule(rule: PermissionRule): string {
  switch (rule.kind) {
    case 'shell': {
      const verdict = validRulePrefix(rule.words);
      const open = verdict.ok ? verdict.prefix.open : true;
      return `shell: ${describeShellPrefix({ words: [...rule.words], open })}`;
    }
    case 'edits': {
      const where =
        rule.folder === undefined
          ? 'every file of the workspace'
          : `files in ${visibleText(rule.folder)}/`;
      return `edits: ${where} (not ${protectedSummary})`;
    }
    case 'tool':
      return `tool: every ${visibleText(rule.name)} call`;
  }
}

/** A folder for an `edits` rule: relative, `/`-separated, no `.` or `..` parts, not empty. */
export function validFolder(folder: string): boolean {
  if (folder === '' || folder.startsWith('/') || folder.includes('\\') || folder.includes('\0')) {
    return false;
  }
  return folder.split('/').every((part) => part !== '' && part !== '.' && part !== '..');
}

/** A rule as it was saved (JSON), checked as strictly as one made now; or why it is not one. */
export function parseRule(
  value: unknown,
): { ok: true; rule: PermissionRule } | { ok: false; reason: string } {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { ok: false, reason: 'not an object' };
  }
  const { kind } = value as { kind?: unknown };
  if (kind === 'shell') {
    const { words } = value as { words?: unknown };
    if (!Array.isArray(words) || words.length === 0 || !words.every((w) => typeof w === 'string')) {
      return { ok: false, reason: '`words` must be a list of strings' };
    }
    const verdict = validRulePrefix(words);
    if (!verdict.ok) return { ok: false, reason: verdict.reason };
    return { ok: true, rule: { kind, words } };
  }
  if (kind === 'edits') {
    const { folder } = value as { folder?: unknown };
    if (folder === undefined) return { ok: true, rule: { kind } };
    if (typeof folder !== 'string' || !validFolder(folder) || protectedPart(folder)) {
      return { ok: false, reason: '`folder` must be a plain relative folder of the workspace' };
    }
    return { ok: true, rule: { kind, folder } };
  }
  if (kind === 'tool') {
    const { name } = value as { name?: unknown };
    if (typeof name !== 'string' || name === '' || hasOwnRuleKind(name)) {
      return { ok: false, reason: '`name` must name a tool other than shell and the edit tools' };
    }
    return { ok: true, rule: { kind, name } };
  }
  return { ok: false, reason: '`kind` must be "shell", "edits" or "tool"' };
}
