/**
 * Files and folders whose content makes other programs run commands (or decides what salvo
 * itself may do), matched case-insensitively against every part of a workspace-relative path:
 * an edit there is always asked about, even under an "allow all edits" rule, and a shell command
 * that names one gets no rule. Project code the user runs on purpose (`package.json` scripts,
 * tests, `Makefile`, `build.rs`) is not listed: a rule such as `npm test` is the user's choice to
 * run that code, and the edits rule can change the tests it runs anyway. What is listed runs
 * commands the user did not ask for, later, often outside salvo: git's own files, editor and
 * agent settings, package-manager and hook configs, CI workflows.
 */
const protectedNames: readonly string[] = [
  // git: hooks and config; filters and submodule URLs; a folder holding `HEAD` is a repository.
  '.git',
  '.gitattributes',
  '.gitmodules',
  'head',
  // salvo and other agents: settings, MCP servers, hooks.
  '.salvo',
  'salvo.json',
  '.mcp.json',
  '.claude',
  '.gemini',
  '.codex',
  '.cursor',
  // Shells and editors: run on `cd`, on opening the folder, or as tasks.
  '.envrc',
  'mise.toml',
  '.mise.toml',
  '.vscode',
  '.idea',
  '.devcontainer',
  // Package managers: which shell runs scripts, which registry, which binary is "yarn".
  '.npmrc',
  '.yarnrc',
  '.yarnrc.yml',
  '.pnpmfile.cjs',
  '.cargo',
  // Commit hooks: their config is a list of command lines.
  '.husky',
  '.pre-commit-config.yaml',
  // CI: runs on push, with the repository's secrets.
  '.github',
  '.gitlab-ci.yml',
  '.circleci',
];

/** Names protected by how they start (`lefthook-local.yml`, `.lintstagedrc.json`). */
const protectedPrefixes: readonly string[] = [
  'lefthook',
  '.lefthook',
  '.lintstagedrc',
  'lint-staged.config.',
];

/** The names as `/permissions` shows them. */
export const protectedSummary = '.git, .salvo, salvo.json, .mcp.json, .npmrc, .vscode, .github…';

/** The protected name a workspace-relative path goes through, if any (case-insensitively). */
export function protectedPart(relative: string): string | undefined {
  for (const part of relative.split('/')) {
    const lower = part.toLowerCase();
    if (protectedNames.includes(lower) || protectedPrefixes.some((p) => lower.startsWith(p))) {
      return lower;
    }
  }
  return undefined;
}

/**
 * The protected name a shell word goes through, if any: as {@link protectedPart}, except `HEAD`,
 * which git commands name all the time (`git reset HEAD~1`) and which is a revision there.
 */
export function protectedWordPart(relative: string): string | undefined {
  for (const part of relative.split('/')) {
    if (part.toLowerCase() === 'head') continue;
    const hit = protectedPart(part);
    if (hit) return hit;
  }
  return undefined;
}
