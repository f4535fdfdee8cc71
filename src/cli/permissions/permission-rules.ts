import { lstatSync } from 'node:fs';
import { join } from 'node:path';
import type { ApprovalRequest } from '../../approval/approval.js';
import { errnoCode } from '../../tools/tool-error.js';
import { type ResolvedPath, Workspace } from '../../tools/workspace.js';
import { visibleText } from '../progress/index.js';
import {
  describeRule,
  editToolNames,
  hasOwnRuleKind,
  inFolder,
  type PermissionRule,
  protectedPart,
  sameRule,
  shellToolName,
} from './permission-rule.js';
import { permissionsFile, readPermissionsFile, writePermissionsFile } from './permissions-file.js';
import {
  describeShellPrefix,
  shellCommandCovered,
  shellRulePrefixes,
} from './shell-rule-prefix.js';

/** What `a` would add for a request, as the prompt shows it; or why it cannot add anything. */
export type RuleProposal =
  | {
      ok: true;
      rules: PermissionRule[];
      /** `always allow "npm test …"`, `allow all edits this session`. */
      label: string;
    }
  | { ok: false; reason: string };

/** A one-line outcome of `/permissions` work, to print as it is. */
export interface PermissionsOutcome {
  ok: boolean;
  line: string;
}

/** Options of {@link PermissionRules}. */
export interface PermissionRulesOptions {
  /**
   * The project folder, the built-in tools' workspace root: edit paths are resolved in it, and
   * saved rules belong to it. Without it (or when it is not a folder) no edit rule can be made.
   */
  root?: string;
  /** The user's home, where saved rules live. Without it, `save` and `load` do nothing. */
  home?: string;
}

interface Entry {
  rule: PermissionRule;
  /** In the project's permissions file too. */
  saved: boolean;
}

/**
 * The user's standing answers: rules the approval queue consults before asking. A rule is made
 * by `a` on a request (scoped: a shell command's prefix, the workspace's edits, one other tool),
 * listed and revoked with `/permissions`, and saved per project in the user's home.
 */
export class PermissionRules {
  readonly #entries: Entry[] = [];
  /** The workspace edit paths are resolved in, as the built-in tools resolve them. */
  readonly workspace: Workspace | undefined;
  /** The project's permissions file, when there is a home to keep it in. */
  readonly file: string | undefined;
  readonly #folder: string | undefined;

  constructor(options: PermissionRulesOptions = {}) {
    let workspace: Workspace | undefined;
    if (options.root !== undefined) {
      try {
        workspace = new Workspace({ root: options.root });
      } catch {
        // Not a folder: no edit rules, nothing saved.
      }
    }
    this.workspace = workspace;
    this.#folder = workspace?.root;
    this.file =
      options.home !== undefined && this.#folder !== undefined
        ? permissionsFile(options.home, this.#folder)
        : undefined;
  }

  /** The rules in force, oldest first (the numbers of {@link list} count from 1). */
  get rules(): readonly PermissionRule[] {
    return this.#entries.map((e) => e.rule);
  }

  /** True when a rule allows this call: the queue approves it without asking. */
  covers(request: ApprovalRequest): boolean {
    const { toolName } = request;
    if (toolName === shellToolName) {
      const command = commandOf(request.input);
      if (command === undefined) return false;
      const prefixes = this.#entries.flatMap((e) =>
        e.rule.kind === 'shell' ? [e.rule.words] : [],
      );
      if (prefixes.length === 0) return false;
      const { workspace } = this;
      if (!workspace) return shellCommandCovered(command, prefixes);
      return shellCommandCovered(command, prefixes, {
        resolvesInside: (relative) => {
          try {
            workspace.resolve(relative);
            return true;
          } catch {
            return false;
          }
        },
      });
    }
    if (editToolNames.includes(toolName)) {
      const file = this.#editTarget(request.input);
      if (!file.ok) return false;
      return this.#entries.some(
        (e) => e.rule.kind === 'edits' && inFolder(file.path.relative, e.rule.folder),
      );
    }
    return this.#entries.some((e) => e.rule.kind === 'tool' && e.rule.name === toolName);
  }

  /**
   * The rule `a` adds for this request, as narrow as what the user sees: a shell command's
   * prefixes (refused for programs too broad to allow whatever follows), every edit of the
   * workspace (refused for the files that configure what runs), or every call of that tool.
   */
  propose(request: ApprovalRequest): RuleProposal {
    const { toolName } = request;
    if (toolName === shellToolName) {
      const command = commandOf(request.input);
      if (command === undefined) return { ok: false, reason: 'the call has no command' };
      const verdict = shellRulePrefixes(command);
      if (!verdict.ok) return verdict;
      const shown = verdict.prefixes.map((p) => `"${describeShellPrefix(p)}"`).join(', ');
      return {
        ok: true,
        rules: verdict.prefixes.map((p) => ({ kind: 'shell', words: p.words })),
        label: `always allow ${shown}`,
      };
    }
    if (editToolNames.includes(toolName)) {
      const file = this.#editTarget(request.input);
      if (!file.ok) return file;
      return { ok: true, rules: [{ kind: 'edits' }], label: 'allow all edits this session' };
    }
    return {
      ok: true,
      rules: [{ kind: 'tool', name: toolName }],
      label: `approve every ${visibleText(toolName) || '?'} call this session`,
    };
  }

  /** Adds rules for the session (one already there is not repeated). */
  add(rules: readonly PermissionRule[]): void {
    for (const rule of rules) this.#add(rule, false);
  }

  /** `1. shell: npm test …  (saved)`: the rules as `/permissions` lists them. */
  list(): string[] {
    return this.#entries.map(
      (e, i) => `${i + 1}. ${describeRule(e.rule)}${e.saved ? '  (saved for this project)' : ''}`,
    );
  }

  /** Removes rule `n` (as {@link list} numbers them), from the project's saved rules too. */
  async revoke(n: number): Promise<PermissionsOutcome> {
    const entry = Number.isInteger(n) ? this.#entries[n - 1] : undefined;
    if (!entry || n < 1) {
      const count = this.#entries.length;
      return {
        ok: false,
        line: `There is no rule ${visibleText(String(n))}: ${count === 0 ? 'there are no rules' : `the rules are numbered 1 to ${count}`}.`,
      };
    }
    this.#entries.splice(n - 1, 1);
    const line = `Revoked: ${describeRule(entry.rule)}`;
    if (!entry.saved || !this.file || !this.#folder) return { ok: true, line };
    try {
      const { rules } = await readPermissionsFile(this.file, this.#folder);
      await writePermissionsFile(
        this.file,
        this.#folder,
        rules.filter((r) => !sameRule(r, entry.rule)),
      );
      return { ok: true, line: `${line} (and from the saved rules)` };
    } catch (error) {
      return { ok: false, line: `${line}, but ${this.file} could not be written: ${why(error)}` };
    }
  }

  /** Saves every rule of the session for this project (kept with what the file holds already). */
  async save(): Promise<PermissionsOutcome> {
    if (!this.file || !this.#folder) {
      return { ok: false, line: 'Rules cannot be saved here: there is no project folder or home.' };
    }
    try {
      const { rules } = await readPermissionsFile(this.file, this.#folder);
      const merged = [...rules];
      for (const { rule } of this.#entries) {
        if (!merged.some((r) => sameRule(r, rule))) merged.push(rule);
      }
      await writePermissionsFile(this.file, this.#folder, merged);
    } catch (error) {
      return { ok: false, line: `The rules could not be saved to ${this.file}: ${why(error)}` };
    }
    for (const entry of this.#entries) entry.saved = true;
    const count = this.#entries.length;
    return {
      ok: true,
      line: `Saved ${count} rule${count === 1 ? '' : 's'} for this project in ${this.file}.`,
    };
  }

  /**
   * Loads the rules saved for this project (at startup). Returns the problems to show, one line
   * each (a broken file, a rule that fails today's checks): such rules are skipped.
   */
  async load(): Promise<{ loaded: number; problems: string[] }> {
    if (!this.file || !this.#folder) return { loaded: 0, problems: [] };
    const { rules, problems } = await readPermissionsFile(this.file, this.#folder);
    let loaded = 0;
    for (const rule of rules) if (this.#add(rule, true)) loaded++;
    return { loaded, problems };
  }

  #add(rule: PermissionRule, saved: boolean): boolean {
    // A `tool` rule can never stand for the tools that have rules of their own.
    if (rule.kind === 'tool' && hasOwnRuleKind(rule.name)) return false;
    const existing = this.#entries.find((e) => sameRule(e.rule, rule));
    if (existing) {
      existing.saved ||= saved;
      return false;
    }
    this.#entries.push({ rule, saved });
    return true;
  }

  /** Where an edit_file or write_file call would write, resolved as the tools do it. */
  #editTarget(input: unknown): { ok: true; path: ResolvedPath } | { ok: false; reason: string } {
    if (!this.workspace) return { ok: false, reason: 'there is no workspace to scope it to' };
    const path = (input as { path?: unknown } | null)?.path;
    if (typeof path !== 'string') return { ok: false, reason: 'the call has no path' };
    let resolved: ResolvedPath;
    try {
      resolved = this.workspace.resolve(path);
    } catch {
      return { ok: false, reason: 'the path is not one the tool can write' };
    }
    const part = protectedPart(resolved.relative) ?? protectedPart(path.replaceAll('\\', '/'));
    if (part) return { ok: false, reason: `edits in ${part} always ask` };
    const repository = repositoryFolderOf(this.workspace, resolved);
    if (repository !== undefined) {
      return {
        ok: false,
        reason: `${repository || 'the workspace'} holds a HEAD file: git would read it as a repository, so edits in it always ask`,
      };
    }
    return { ok: true, path: resolved };
  }
}

/**
 * The workspace folder (relative, `''` for the root) on the way to `file` that holds a `HEAD`
 * entry, or `undefined`. Git takes a folder with `HEAD`, `objects/` and `refs/` for a bare
 * repository and runs the programs its `config` names (`core.fsmonitor`, `core.editor`): the
 * edits rule must not write such a config, nor the rest of one. A folder without `HEAD` is never
 * a repository, and `HEAD` itself is a protected name.
 */
function repositoryFolderOf(workspace: Workspace, file: ResolvedPath): string | undefined {
  const parts = file.relative.split('/').slice(0, -1);
  for (let n = 0; n <= parts.length; n++) {
    const folder = parts.slice(0, n).join('/');
    try {
      lstatSync(join(workspace.root, folder, 'HEAD'));
      return folder;
    } catch (error) {
      const code = errnoCode(error);
      // Not there, or a part is not a folder: no repository here. Anything else: unproven.
      if (code !== 'ENOENT' && code !== 'ENOTDIR') return folder;
    }
  }
  return undefined;
}

function commandOf(input: unknown): string | undefined {
  const command = (input as { command?: unknown } | null)?.command;
  return typeof command === 'string' ? command : undefined;
}

function why(error: unknown): string {
  return errnoCode(error) ?? (error instanceof Error ? error.message : String(error));
}
