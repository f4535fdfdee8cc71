import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TurnTrace } from '../../trace/call-trace.js';
import { describeRun } from '../../trace/describe-run.js';
import { type RunSummary, summarizeRun } from '../../trace/summarize-run.js';
import { writeTrace } from '../../trace/write-trace.js';
import { exitCodes, oneLine } from '../cli-error.js';
import { comparisonRows, wrapProse } from '../demo/demo-layout.js';
import { defaultDemoChunkDelayMs } from '../demo/demo-model.js';
import { createDemoProject } from '../demo/demo-project.js';
import { type DemoSessionResult, runDemoSession } from '../demo/demo-session.js';
import { mostAtOnce } from '../demo/most-at-once.js';
import type { CliIo } from '../io.js';
import { counted } from '../progress/pluralize.js';
import { createReporter } from '../reporters.js';
import { runTiming } from '../run-timing.js';
import { Interrupt } from '../terminal-keys.js';

export interface DemoFlags {
  trace?: string;
  speed?: number;
  json?: boolean;
}

interface Contender {
  label: string;
  maxConcurrency: number;
  maxSubagents: number;
}

const contenders: readonly Contender[] = [
  { label: 'one call at a time', maxConcurrency: 1, maxSubagents: 1 },
  { label: 'salvo', maxConcurrency: 16, maxSubagents: 5 },
];

/**
 * `salvo demo`: a scripted agent reviews a generated project with five reviewer subagents, the
 * built-in tools and two MCP servers from npm, first one call at a time and then with salvo;
 * prints both timings side by side and writes the salvo run's HTML trace. No key, no network.
 */
export async function demoCommand(flags: DemoFlags, io: CliIo): Promise<number> {
  const out = flags.json ? io.stderr : io.stdout;
  // Word-wrapped to the terminal, so no row is wider than the pane (and none is cut).
  const say = (line: string) => {
    for (const row of wrapProse(line, out.isTTY ? (out.columns ?? 80) - 1 : undefined)) {
      out.write(`${row}\n`);
    }
  };
  const root = mkdtempSync(join(tmpdir(), 'salvo-demo-run-'));
  const controller = new AbortController();
  const interrupt = new Interrupt({
    onCancel: () => {
      say('Cancelling the demo… (Ctrl-C again exits at once)');
      controller.abort(new Error('cancelled by the user (Ctrl-C)'));
    },
    onForce: () => process.exit(exitCodes.cancelled),
  });
  const stopListening = interrupt.listen();
  const chunkDelayMs = defaultDemoChunkDelayMs / (flags.speed ?? 1);
  say(
    'salvo demo: a scripted agent reviews a generated TypeScript service with 5 reviewer subagents, the built-in file tools and 2 MCP servers from npm (server-filesystem, server-memory). No API key.',
  );
  const outcomes: DemoSessionResult[] = [];
  let identical = false;
  try {
    for (const [i, contender] of contenders.entries()) {
      const dir = join(root, contender.label.replace(/\W+/g, '-'));
      mkdirSync(dir, { recursive: true });
      const projectDir = join(dir, 'project');
      createDemoProject(projectDir);
      say('');
      say(
        `${i + 1}/${contenders.length} ${contender.label} (max ${counted(contender.maxConcurrency, 'call')}, ${counted(contender.maxSubagents, 'subagent')} at once)`,
      );
      const reporter = flags.json ? undefined : createReporter(io, { json: false, quiet: true });
      try {
        reporter?.runStarted(contender.label);
        const outcome = await runDemoSession({
          projectDir,
          memoryFile: join(dir, 'memory.jsonl'),
          chunkDelayMs,
          maxConcurrency: contender.maxConcurrency,
          maxSubagents: contender.maxSubagents,
          signal: controller.signal,
          ...(reporter ? { onSchedulerEvent: (event) => reporter.schedulerEvent(event) } : {}),
        });
        outcomes.push(outcome);
        for (const missing of outcome.missing) say(`  (skipped the MCP part: ${missing})`);
        reporter?.close();
        say(
          `  done in ${seconds(outcome.wallMs)}: ${outcome.calls} tool calls, ${outcome.agents.length} subagents`,
        );
      } finally {
        reporter?.close();
      }
      if (controller.signal.aborted) return exitCodes.cancelled;
    }
    const [a, b] = contenders.map((c) => join(root, c.label.replace(/\W+/g, '-'), 'project'));
    identical = sameFiles(a as string, b as string);
  } catch (error) {
    if (controller.signal.aborted) return exitCodes.cancelled;
    throw error;
  } finally {
    stopListening();
    rmSync(root, { recursive: true, force: true });
  }
  return report(
    flags,
    io,
    outcomes,
    identical,
    say,
    out.isTTY ? (out.columns ?? 80) - 1 : undefined,
  );
}

async function report(
  flags: DemoFlags,
  io: CliIo,
  outcomes: DemoSessionResult[],
  identical: boolean,
  say: (line: string) => void,
  columns: number | undefined,
): Promise<number> {
  const [slow, fast] = outcomes as [DemoSessionResult, DemoSessionResult];
  const runs = outcomes.map((o) => summarizeRun(o.traces, { source: 'cli' }));
  const speedup = slow.wallMs / fast.wallMs;
  const traces: TurnTrace[] = fast.traces;
  const errors = outcomes.flatMap((o) => o.errors);
  // The report next to its Perfetto JSON; `--trace x.json` asks for the JSON alone. By default
  // in a new private folder: each demo keeps its own report, and no other user of the temp
  // folder can have put a file or a link where it is written.
  let asked = flags.trace;
  if (asked === undefined) {
    try {
      asked = join(mkdtempSync(join(tmpdir(), 'salvo-demo-')), 'report.html');
    } catch (error) {
      errors.push(`could not make a folder for the report in ${tmpdir()}: ${oneLine(error)}`);
    }
  }
  const wanted =
    asked === undefined
      ? []
      : /\.json$/i.test(asked)
        ? [{ file: asked, kind: 'Perfetto' }]
        : [
            { file: asked, kind: 'HTML' },
            { file: asked.replace(/\.html?$/i, '.trace.json'), kind: 'Perfetto' },
          ];
  const written: { file: string; kind: string }[] = [];
  for (const target of wanted) {
    try {
      await writeTrace(target.file, traces, {
        title: 'salvo demo: code review with subagents',
        source: 'cli',
      });
      written.push(target);
    } catch (error) {
      // The timings were measured: they are printed whatever happens to the files.
      errors.push(`could not write the trace to ${target.file}: ${oneLine(error)}`);
    }
  }
  const htmlFile = written.find((w) => w.kind === 'HTML')?.file;
  if (!identical) errors.push('the two runs left different files in their projects');
  if (flags.json) {
    io.stdout.write(
      `${JSON.stringify({
        contenders: outcomes.map((o, i) => ({
          contender: i === 0 ? 'one-at-a-time' : 'salvo',
          ms: o.wallMs,
          calls: o.calls,
          subagents: o.agents.length,
          mostCallsAtOnce: mostAtOnceIn(o, 'calls'),
          mostSubagentsAtOnce: mostAtOnceIn(o, 'agents'),
          ...(runs[i] ? { timing: runTiming(runs[i] as RunSummary) } : {}),
        })),
        speedup,
        identical,
        trace: htmlFile ?? written[0]?.file ?? null,
        errors,
      })}\n`,
    );
  } else {
    const both = (f: (o: DemoSessionResult) => string | number) => [
      String(f(slow)),
      String(f(fast)),
    ];
    const table = comparisonRows(
      ['one at a time', 'salvo'],
      [
        { label: 'wall time', values: both((o) => seconds(o.wallMs)) },
        { label: 'tool calls', values: both((o) => o.calls) },
        { label: 'subagents', values: both((o) => o.agents.length) },
        { label: 'most tool calls at once', values: both((o) => mostAtOnceIn(o, 'calls')) },
        { label: 'most subagents at once', values: both((o) => mostAtOnceIn(o, 'agents')) },
      ],
      columns,
    );
    say('');
    for (const row of table) say(row);
    say('');
    const same = identical ? ', with the same files at the end' : '';
    // Timings vary: a run where salvo was not faster says so rather than "0.8x faster".
    say(
      speedup >= 1
        ? `salvo finished the same review ${speedup.toFixed(1)}x faster${same}.`
        : `salvo was not faster this time: it took ${(1 / speedup).toFixed(1)}x as long${same}.`,
    );
    if (runs[1]) {
      say(`Where the time went with salvo: ${describeRun(runs[1])}.`);
      say(runs[1].recommendation);
    }
    // Each file on a row of its own, whole, so it can be copied.
    for (const w of written) {
      say(w.kind === 'HTML' ? 'Trace (open it in a browser):' : 'Perfetto trace:');
      say(`  ${w.file}`);
    }
  }
  for (const error of errors) io.stderr.write(`salvo: demo problem: ${oneLine(error)}\n`);
  return errors.length > 0 ? exitCodes.failed : 0;
}

/**
 * The most tool calls (the `task` calls waiting for their subagents left out: they gave their
 * slots back) or subagents that ran at the same moment.
 */
function mostAtOnceIn(outcome: DemoSessionResult, what: 'calls' | 'agents'): number {
  if (what === 'agents') return mostAtOnce(outcome.agents.map((a) => [a.startedAt, a.endedAt]));
  return mostAtOnce(
    outcome.traces
      .flatMap((t) => t.calls)
      .filter((c) => c.slotsYieldedMs === undefined)
      .map((c) => [c.startedAt, c.endedAt]),
  );
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(2)} s`;
}

/** Whether two project trees hold the same files with the same contents. */
function sameFiles(a: string, b: string): boolean {
  const list = (dir: string) =>
    (readdirSync(dir, { recursive: true, withFileTypes: false }) as string[]).sort();
  const names = list(a);
  if (JSON.stringify(names) !== JSON.stringify(list(b))) return false;
  return names.every((name) => {
    const pathA = join(a, name);
    if (statSync(pathA).isDirectory()) return true;
    return readFileSync(pathA).equals(readFileSync(join(b, name)));
  });
}
