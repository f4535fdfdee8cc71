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
  /** Subcommands whose next word belongs to the rule too: the script or program they run. */
  runners?: readonly string[];
  /** Subcommands (or `sub next`) that never get a rule, with why. */
  refuse?: Readonly<Record<string, string>>;
  forbid?: readonly ForbiddenOption[];
  /** Long options are written with one dash (`-exec`), as Go's flag package does. */
  singleDashLong?: boolean;
  /** Arguments `NAME=value` override what the command runs (make's `SHELL=`, `CC=`). */
  noAssignments?: boolean;
}

const packageManagerOptions: ForbiddenOption = {
  long: ['script-shell', 'node-options', 'userconfig', 'globalconfig', 'call', 'shell', 'npmrc'],
};
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
    runners: ['submodule', 'bisect'],
    refuse: {
      config: changesSettings,
      'filter-branch': 'runs the commands it is given',
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
          'config-env',
          'output',
          'template',
        ],
      },
      { sub: 'rebase', short: 'x' },
      { sub: 'difftool', short: 'xt' },
      { sub: 'grep', short: 'O' },
      { sub: 'clone', short: 'u' },
      { sub: 'format-patch', short: 'o' },
      { sub: 'archive', short: 'o' },
    ],
  },
  npm: {
    subcommand: true,
    runners: ['run', 'run-script', 'rum', 'urn', 'exec', 'x'],
    refuse: { explore: 'opens a shell', config: changesSettings, set: changesSettings },
    forbid: [packageManagerOptions, { sub: 'exec', short: 'c' }, { sub: 'x', short: 'c' }],
  },
  pnpm: {
    subcommand: true,
    runners: ['run', 'exec', 'dlx'],
    refuse: { config: changesSettings },
    forbid: [packageManagerOptions, { sub: 'exec', short: 'c' }, { sub: 'dlx', short: 'c' }],
  },
  yarn: {
    subcommand: true,
    runners: ['run', 'exec', 'dlx'],
    refuse: { config: changesSettings },
    forbid: [packageManagerOptions],
  },
  bun: {
    subcommand: true,
    runners: ['run', 'x'],
    forbid: [{ long: ['eval', 'print', 'preload', 'config', 'shell'] }, { short: 'er' }],
  },
  cargo: {
    subcommand: true,
    refuse: { config: changesSettings },
    forbid: [{ long: ['config'] }, { short: 'Z' }],
  },
  go: {
    subcommand: true,
    runners: ['run'],
    singleDashLong: true,
    forbid: [{ long: ['exec', 'toolexec', 'overlay'] }, { sub: 'env', long: ['w', 'u'] }],
  },
  docker: { subcommand: true, runners: ['compose'], refuse: containerRefusals },
  podman: { subcommand: true, runners: ['compose'], refuse: containerRefusals },
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
  uv: { subcommand: true, runners: ['run', 'tool'] },
  poetry: { subcommand: true, runners: ['run'], refuse: { config: changesSettings } },
  pipenv: { subcommand: true, runners: ['run'] },
  conda: { subcommand: true, runners: ['run'] },
  bundle: { subcommand: true, runners: ['exec'] },
  deno: {
    subcommand: true,
    runners: ['run', 'task'],
    refuse: { eval: 'runs any code it is given', repl: 'runs any code' },
  },
  make: {
    subcommand: true,
    noAssignments: true,
    forbid: [{ long: ['file', 'makefile', 'eval', 'directory', 'include-dir'] }, { short: 'fECI' }],
  },
};

/** Run a package by name: the rule holds the package (`npx prettier`). */
export const packageRunners = new Set(['npx', 'pnpx', 'bunx', 'uvx']);
export const packageRunnerForbid: readonly ForbiddenOption[] = [
  { long: ['call', 'shell', 'package', 'script-shell', 'node-options'] },
  { short: 'cp' },
];

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
