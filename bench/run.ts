/**
 * `npm run bench [-- --json] [--reps N] [scenario ...]`: runs the named scenarios (all when none),
 * prints a table per scenario and the ratios the targets care about; with `--json`, also writes
 * `bench/results.json` (one row per contender of every scenario run; the rows of scenarios not
 * run this time are kept).
 */
import { readFile, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { formatTable, type Row, type Scenario, type Verdict } from './harness.js';
import { scenarios } from './scenarios/index.js';

interface Args {
  json: boolean;
  reps: number | undefined;
  names: string[];
}

function parseArgs(argv: readonly string[]): Args {
  const args: Args = { json: false, reps: undefined, names: [] };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '--json') {
      args.json = true;
    } else if (arg === '--reps' || arg.startsWith('--reps=')) {
      const value = arg === '--reps' ? argv[++i] : arg.slice('--reps='.length);
      const reps = Number(value);
      if (!Number.isInteger(reps) || reps < 1)
        fail(`Expected \`--reps\` to be a whole number from 1 and up, got \`${value}\``);
      args.reps = reps;
    } else if (arg.startsWith('-')) {
      fail(`Unknown option \`${arg}\`. Usage: npm run bench -- [--json] [--reps N] [scenario ...]`);
    } else {
      args.names.push(arg);
    }
  }
  return args;
}

function fail(message: string): never {
  console.error(message);
  process.exit(1);
}

function select(names: readonly string[]): Scenario[] {
  if (names.length === 0) return [...scenarios];
  const unknown = names.filter((name) => !scenarios.some((s) => s.name === name));
  if (unknown.length > 0) {
    fail(
      `Unknown scenario${unknown.length > 1 ? 's' : ''}: ${unknown.join(', ')}. Valid names: ${scenarios.map((s) => s.name).join(', ')}`,
    );
  }
  return scenarios.filter((s) => names.includes(s.name));
}

function formatVerdict(v: Verdict): string {
  const mark = v.met === undefined ? '  ' : v.met ? 'ok' : 'MISSED';
  return `  ${mark.padEnd(6)} ${v.label} = ${v.value} (${v.goal})`;
}

/** The rows of an earlier `--json` run, or none when there is no readable file. */
async function previousRows(path: string): Promise<Row[]> {
  try {
    const parsed: unknown = JSON.parse(await readFile(path, 'utf8'));
    return Array.isArray(parsed)
      ? parsed.filter((row): row is Row => typeof row?.scenario === 'string')
      : [];
  } catch {
    return [];
  }
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const selected = select(args.names);
  const rows: Row[] = [];
  const summary: string[] = [];
  console.log(`salvo benchmarks: node ${process.version}, ${process.platform}/${process.arch}`);
  for (const scenario of selected) {
    console.log(`\n## ${scenario.name}: ${scenario.description}`);
    const options = args.reps === undefined ? {} : { reps: args.reps };
    const measurements = await scenario.run(options);
    const scenarioRows = measurements.map((m) => m.row);
    rows.push(...scenarioRows);
    console.log(formatTable(measurements));
    const verdicts = scenario.verdicts(scenarioRows);
    console.log(`target: ${scenario.target}`);
    for (const v of verdicts) console.log(formatVerdict(v));
    summary.push(`${scenario.name}:`, ...verdicts.map(formatVerdict));
  }
  console.log(`\n## targets\n${summary.join('\n')}`);
  if (args.json) {
    // npm runs scripts from the package root; the bench itself may run from a build folder.
    const path = resolve('bench', 'results.json');
    const kept = (await previousRows(path)).filter(
      (row) => !selected.some((s) => s.name === row.scenario),
    );
    const order = (row: Row) => scenarios.findIndex((s) => s.name === row.scenario);
    // A stable sort: each scenario's rows stay in their order, scenarios in the registry's.
    const all = [...kept, ...rows].sort((a, b) => order(a) - order(b));
    await writeFile(path, `${JSON.stringify(all, null, 2)}\n`);
    const note = kept.length > 0 ? ` (and kept ${kept.length} of other scenarios)` : '';
    console.log(`\nwrote ${rows.length} rows to bench/results.json${note}`);
  }
}

await main();
