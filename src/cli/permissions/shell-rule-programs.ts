/**
 * What an "always allow" rule for a shell command may be, program by program: how many words
 * say what the command does (`npm run lint`, `git commit`, `python -m pytest`), which programs
 * are too broad to allow whatever their arguments (`rm`, `curl`, `xargs`), and which options
 * turn an ordinary command into one that runs other programs (`git rebase --exec`,
 * `npm test --script-shell`, `go test -exec`).
 */

/** An option that makes a command run other programs (or write where it likes). */
export interface ForbiddenOption {
  /** Only after this subcommand; every command of the program when absent. */
  sub?: string;
  /** Long names (`exec` for `--exec`, `--exec=x` and its GNU abbreviations like `--ex`). */
  long?: readonly string[];
  /** Short letters, in any cluster (`-ix` holds `x`). */
  short?: string;
}

export interface ProgramSpec {
  /** The word after the program is a subcommand that belongs to the rule (`git commit`). */
  subcommand?: boolean;
  /** Subcommands whose next word is a subcommand too (`docker compose up`, `uv tool run`). */
  groups?: readonly string[];
  /** Subcommands (or `group sub`) whose next word names a script or task (`npm run lint`). */
  scriptRunners?: readonly string[];
  /**
   * Subcommands (or `group sub`) whose next words are a command of their own, checked as one:
   * `uv run python -c x` is refused as `python -c x` is, `npm exec rm` as `rm` is.
   */
  programRunners?: readonly string[];
  /** An unknown subcommand runs a program of that name (`pnpm node x.js`, `yarn node -e`). */
  runsPrograms?: boolean;
  /** Subcommands (or `sub next`) that never get a rule, with why. */
  refuse?: Readonly<Record<string, string>>;
  forbid?: readonly ForbiddenOption[];
  /**
   * How single-dash words read: `go` as long options only (Go's flag package: `-exec`), `nopt`
   * as long options and as letter clusters both (npm's parser takes `-script-shell=x` for
   * `--script-shell=x`); GNU getopt's short letters otherwise.
   */
  options?: 'go' | 'nopt';
  /**
   * Any argument with `=` that is not an option sets a variable (make's `SHELL=`, `X!=cmd`,
   * `X:=$(shell cmd)`): refused as a class.
   */
  noEquals?: boolean;
  /** Words with `::` name a remote helper (`ext::sh -c x`), a program git runs. */
  noRemoteHelpers?: boolean;
}

/**
 * npm, pnpm and yarn settings that name a program or a file of settings, move the command to
 * another package, or reach outside the workspace. Any `--config.x` (pnpm) is `config`.
 */
const packageManagerOptions: ForbiddenOption = {
  long: [
    'script-shell',
    'node-options',
    'userconfig',
    'globalconfig',
    'npmrc',
    'config',
    'call',
    'shell',
    'git',
    'editor',
    'browser',
    'viewer',
    'node-gyp',
    'init-module',
    'onload-script',
    'pnpmfile',
    'global-pnpmfile',
    'rc-filename',
    'use-yarnrc',
    'yarn-path',
    'prefix',
    'dir',
    'cwd',
    'global',
    'global-dir',
    'location',
  ],
  // -C: --prefix (npm), --dir (pnpm); -g: --global.
  short: 'Cg',
};
/** pytest empties `--basetemp` first; `-o` sets any ini value (`cache_dir`). */
const pytestOptions: readonly ForbiddenOption[] = [
  { long: ['basetemp', 'override-ini'] },
  { short: 'o' },
];
const changesSettings = 'changes settings that can make later commands run other programs';
const containerRefusals = {
  run: 'runs any image with any mounts and command',
  exec: 'runs any command in a container',
  create: 'creates a container with any mounts and command',
  'compose run': 'runs any command in a container',
  'compose exec': 'runs any command in a container',
};

const subcommandTools = (names: readonly string[], spec: ProgramSpec = {}) =>
  Object.fromEntries(names.map((name) => [name, { subcommand: true, ...spec }]));

/** Programs whose first word is a subcommand, and what is special about them. */
export const programs: Readonly<Record<string, ProgramSpec>> = {
  ...subcommandTools([
    'helm',
    'terraform',
    'gh',
    'dotnet',
    'mvn',
    'gradle',
    'gradlew',
    'composer',
    'rustup',
    'brew',
    'apt',
    'apt-get',
    'pip',
    'pip3',
    'swift',
    'nix',
  ]),
  git: {
    subcommand: true,
    groups: ['submodule', 'bisect'],
    noRemoteHelpers: true,
    refuse: {
      config: changesSettings,
      credential: 'prints stored passwords',
      'credential-store': 'prints stored passwords',
      'credential-cache': 'prints stored passwords',
      'filter-branch': 'runs the commands it is given',
      apply: 'writes whatever files the patch names',
      am: 'writes whatever files the patches name',
      'send-email': 'sends mail through programs it is given',
      instaweb: 'runs the programs it is given',
      difftool: 'runs a configured program',
      mergetool: 'runs a configured program',
      'submodule foreach': 'runs any command in each submodule',
      'bisect run': 'runs any command',
    },
    forbid: [
      {
        long: [
          'exec',
          'upload-pack',
          'receive-pack',
          'extcmd',
          'tool',
          'open-files-in-pager',
          'config',
          'config-env',
          'output',
          'template',
          'separate-git-dir',
        ],
      },
      { sub: 'rebase', short: 'x' },
      { sub: 'difftool', short: 'xt' },
      { sub: 'grep', short: 'O' },
      // clone -c sets any config in the new repository (`protocol.ext.allow=always`).
      { sub: 'clone', short: 'cu' },
      // A bare repository in the workspace is one whose config the edits rule could write.
      { sub: 'init', long: ['bare'] },
      { sub: 'format-patch', short: 'o' },
      { sub: 'archive', short: 'o' },
    ],
  },
  npm: {
    subcommand: true,
    scriptRunners: ['run', 'run-script', 'rum', 'urn'],
    programRunners: ['exec', 'x'],
    options: 'nopt',
    refuse: { explore: 'opens a shell', config: changesSettings, set: changesSettings },
    forbid: [packageManagerOptions, { sub: 'exec', short: 'c' }, { sub: 'x', short: 'c' }],
  },
  pnpm: {
    subcommand: true,
    scriptRunners: ['run'],
    programRunners: ['exec', 'dlx'],
    runsPrograms: true,
    options: 'nopt',
    refuse: { config: changesSettings },
    forbid: [packageManagerOptions, { sub: 'exec', short: 'c' }, { sub: 'dlx', short: 'c' }],
  },
  yarn: {
    subcommand: true,
    scriptRunners: ['run'],
    programRunners: ['exec', 'dlx'],
    runsPrograms: true,
    options: 'nopt',
    refuse: { config: changesSettings, global: 'installs outside the workspace' },
    forbid: [packageManagerOptions],
  },
  bun: {
    subcommand: true,
    programRunners: ['run', 'x'],
    runsPrograms: true,
    forbid: [
      { long: ['eval', 'print', 'preload', 'config', 'shell', 'cwd', 'global'] },
      { short: 'ercg' },
    ],
  },
  cargo: {
    subcommand: true,
    refuse: { config: changesSettings },
    forbid: [
      { long: ['config'] },
      { short: 'Z' },
      // `cargo clean` deletes its target dir, wherever that is said to be.
      { sub: 'clean', long: ['target-dir'] },
    ],
  },
  go: {
    subcommand: true,
    scriptRunners: ['run'],
    options: 'go',
    forbid: [{ long: ['exec', 'toolexec', 'overlay'] }, { sub: 'env', long: ['w', 'u'] }],
  },
  docker: { subcommand: true, groups: ['compose'], refuse: containerRefusals },
  podman: { subcommand: true, groups: ['compose'], refuse: containerRefusals },
  kubectl: {
    subcommand: true,
    refuse: {
      exec: 'runs any command in a pod',
      run: 'starts any image',
      debug: 'runs any command in a pod',
      attach: 'takes over a running container',
      cp: 'copies files in and out of pods',
    },
  },
  uv: { subcommand: true, groups: ['tool'], programRunners: ['run', 'tool run'] },
  poetry: { subcommand: true, programRunners: ['run'], refuse: { config: changesSettings } },
  pipenv: { subcommand: true, programRunners: ['run'] },
  conda: { subcommand: true, programRunners: ['run'] },
  bundle: { subcommand: true, programRunners: ['exec'] },
  deno: {
    subcommand: true,
    scriptRunners: ['run', 'task'],
    refuse: { eval: 'runs any code it is given', repl: 'runs any code' },
  },
  pytest: { forbid: pytestOptions },
  'py.test': { forbid: pytestOptions },
  // `-E` runs a command (`cmake -E rm -rf x`), `-P` and `-C` a script.
  cmake: { options: 'go', forbid: [{ long: ['E', 'P', 'C'] }] },
  make: {
    subcommand: true,
    noEquals: true,
    forbid: [
      {
        long: ['file', 'makefile', 'eval', 'directory', 'include-dir', 'environment-overrides'],
      },
      { short: 'fECIe' },
    ],
  },
};

/** Run a package by name: the rule holds the package (`npx prettier`). */
export const packageRunners = new Set(['npx', 'pnpx', 'bunx', 'uvx']);
export const packageRunnerForbid: readonly ForbiddenOption[] = [
  packageManagerOptions,
  { long: ['package', 'from', 'with'] },
  { short: 'cp' },
];

/** Options of a python module that reach past what its name says (pytest deletes `--basetemp`). */
export const pythonModuleForbid: Readonly<Record<string, readonly ForbiddenOption[]>> = {
  pytest: pytestOptions,
};

/**
 * Shell reserved words: at the head of a command they are syntax (`if`, `then`, `!`), never a
 * program, so a rule for one would cover whatever follows it.
 */
export const reservedWords = new Set([
  '!',
  '{',
  '}',
  '[[',
  ']]',
  'case',
  'coproc',
  'do',
  'done',
  'elif',
  'else',
  'esac',
  'fi',
  'for',
  'function',
  'if',
  'in',
  'select',
  'then',
  'time',
  'until',
  'while',
]);

/** Interpreters: a rule holds the script they run (`node build.js`), or python's `-m module`. */
export function isInterpreter(name: string): boolean {
  return /^(?:python|pypy)[0-9.]*$/.test(name) || interpreters.has(name);
}

export function isPython(name: string): boolean {
  return /^(?:python|pypy)[0-9.]*$/.test(name);
}

const interpreters = new Set([
  'node',
  'nodejs',
  'ruby',
  'perl',
  'php',
  'lua',
  'Rscript',
  'tsx',
  'ts-node',
  'sh',
  'bash',
  'zsh',
  'dash',
  'ksh',
  'fish',
  'csh',
  'tcsh',
  'pwsh',
  'zx',
  'tclsh',
  'expect',
]);

const runsOthers = 'runs other commands';
const deletes = 'can delete or overwrite any file';
const network = 'can download or send anything';

/** Programs no rule may allow whatever their arguments, with why. */
export const tooBroad: Readonly<Record<string, string>> = {
  ...Object.fromEntries(
    [
      'env',
      'sudo',
      'doas',
      'su',
      'runuser',
      'xargs',
      'exec',
      'eval',
      'command',
      'builtin',
      'nohup',
      'time',
      'timeout',
      'nice',
      'ionice',
      'taskset',
      'watch',
      'strace',
      'ltrace',
      'chroot',
      'setsid',
      'stdbuf',
      'unshare',
      'nsenter',
      'flock',
      'parallel',
      'script',
      'source',
      '.',
      'busybox',
      'ssh',
      'find',
      'awk',
      'gawk',
      'mawk',
      'nawk',
      'sed',
      'cross-env',
      'concurrently',
      'shx',
      'dotenv',
      'env-cmd',
      'nodemon',
      'vi',
      'vim',
      'nvim',
      'emacs',
      'ed',
      'ex',
    ].map((name) => [name, runsOthers]),
  ),
  ...Object.fromEntries(
    [
      'rm',
      'rmdir',
      'unlink',
      'shred',
      'truncate',
      'dd',
      'mv',
      'cp',
      'ln',
      'install',
      'tee',
      'chmod',
      'chown',
      'chgrp',
      'mkfs',
      'fdisk',
      'parted',
      'mount',
      'umount',
      'rimraf',
      'del',
      'trash',
      // Archives and patches write whatever files they name, `.git/hooks` included.
      'patch',
      'tar',
      'bsdtar',
      'unzip',
      'cpio',
      '7z',
    ].map((name) => [name, deletes]),
  ),
  ...Object.fromEntries(
    ['curl', 'wget', 'scp', 'sftp', 'ftp', 'rsync', 'nc', 'ncat', 'netcat', 'socat', 'telnet'].map(
      (name) => [name, network],
    ),
  ),
  ...Object.fromEntries(
    [
      'export',
      'set',
      'unset',
      'alias',
      'unalias',
      'readonly',
      'declare',
      'typeset',
      'local',
      'hash',
      'enable',
      'umask',
      'ulimit',
      'trap',
      'shopt',
    ].map((name) => [name, 'changes how the commands after it run']),
  ),
  ...Object.fromEntries(
    [
      'kill',
      'pkill',
      'killall',
      'reboot',
      'shutdown',
      'halt',
      'poweroff',
      'systemctl',
      'launchctl',
      'crontab',
      'osascript',
      'open',
      'xdg-open',
    ].map((name) => [name, 'acts on the whole system']),
  ),
};
