/** What a command talks to: injectable, so commands run in tests without a process of their own. */
export interface CliIo {
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
  stdin: NodeJS.ReadStream;
  env: Readonly<Record<string, string | undefined>>;
  /** The directory salvo was started in. */
  cwd: string;
  home: string;
}

/** Animated output only on a terminal, and never under CI or with `NO_TTY`-like settings. */
export function isInteractiveOutput(io: CliIo): boolean {
  const ci = io.env.CI;
  return (
    io.stdout.isTTY === true && (ci === undefined || ci === '' || ci === 'false' || ci === '0')
  );
}

/** Colour unless `NO_COLOR` is set (https://no-color.org) or the output is not a terminal. */
export function useColor(io: CliIo, stream: NodeJS.WriteStream = io.stdout): boolean {
  return stream.isTTY === true && !io.env.NO_COLOR && io.env.TERM !== 'dumb';
}
