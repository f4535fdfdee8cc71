/**
 * The benchmark harness: scenarios, contenders, interleaved measurement, medians, tables.
 *
 * Every contender of a scenario is measured in the same process run, interleaved per repetition
 * with a rotating order (rep 1: A, B, C; rep 2: B, C, A; ...) so that the machine's noise spreads
 * over all of them, and each row reports the median of its repetitions. Before every timed run the
 * previous run's timers drain and its garbage is collected.
 */

/** One line of `bench/results.json`. */
export interface Row {
  scenario: string;
  contender: string;
  /** Median wall time over the repetitions, in milliseconds. */
  ms: number;
  /** What a perfect scheduler could reach with the same work. */
  lowerBoundMs: number;
  /** Extra scenario-specific figures (medians), e.g. `autoDoneBeforeApprovalMs`. */
  [field: string]: string | number;
}

/** A contender's row plus what only the console table shows. */
export interface Measurement {
  /** The JSON row. */
  row: Row;
  /** Every repetition's wall time, in the order measured. */
  samples: number[];
  /** Table-only figures (medians over repetitions). */
  details: Record<string, number>;
}

/** What one run of a contender may report besides its wall time. */
export interface RunReport {
  /** Written to the JSON row and the table (medians over repetitions). */
  fields?: Record<string, number>;
  /** Shown in the table only (medians over repetitions). */
  details?: Record<string, number>;
}

export interface Contender {
  name: string;
  /** Runs the work once; the harness times it. */
  run(): Promise<RunReport> | Promise<void>;
  /** Measure at most this many repetitions (for slow baselines). @default every repetition */
  maxReps?: number;
}

export interface ScenarioOptions {
  /** Repetitions per contender (the median is reported). @default the scenario's own */
  reps?: number;
  /** Tiny mode for smoke tests: few calls, millisecond latencies. @default false */
  quick?: boolean;
}

/** Whether one target is met, with the figure it is judged on. */
export interface Verdict {
  /** What is compared, e.g. `salvo / lower bound`. */
  label: string;
  value: number;
  /** The goal in words, e.g. `<= 1.2`. */
  goal: string;
  /** `undefined`: shown for context, not a target. */
  met: boolean | undefined;
}

export interface Scenario {
  name: string;
  description: string;
  /** The target, in words. */
  target: string;
  /** Contender names, in table order; `salvo` first. */
  contenders: readonly string[];
  /** Measures every contender in one run and returns one row per contender. */
  run(options?: ScenarioOptions): Promise<Measurement[]>;
  /** Judges the target against the rows this scenario returned. */
  verdicts(rows: readonly Row[]): Verdict[];
}

export interface MeasureOptions {
  scenario: string;
  lowerBoundMs: number;
  contenders: readonly Contender[];
  reps: number;
  /** Untimed rounds of every contender before measuring, so the JIT has settled. @default 0 */
  warmup?: number;
}

/** Measures contenders interleaved, rotating their order each repetition. */
export async function measure(options: MeasureOptions): Promise<Measurement[]> {
  const { scenario, lowerBoundMs, contenders, reps, warmup = 0 } = options;
  if (!Number.isInteger(reps) || reps < 1) throw new Error(`Expected reps >= 1, got ${reps}`);
  for (let round = 0; round < warmup; round++) {
    for (const contender of contenders) await contender.run();
  }
  const samples = contenders.map(() => [] as number[]);
  const fields = contenders.map(() => new Map<string, number[]>());
  const details = contenders.map(() => new Map<string, number[]>());
  for (let rep = 0; rep < reps; rep++) {
    for (const index of rotation(contenders.length, rep)) {
      const contender = contenders[index] as Contender;
      const own = samples[index] as number[];
      if (contender.maxReps !== undefined && own.length >= contender.maxReps) continue;
      await settleDown();
      const startedAt = performance.now();
      const report = (await contender.run()) ?? {};
      own.push(performance.now() - startedAt);
      collect(fields[index] as Map<string, number[]>, report.fields);
      collect(details[index] as Map<string, number[]>, report.details);
    }
  }
  return contenders.map((contender, index) => {
    const row: Row = {
      scenario,
      contender: contender.name,
      ms: round(median(samples[index] as number[])),
      lowerBoundMs: round(lowerBoundMs),
    };
    for (const [key, values] of fields[index] as Map<string, number[]>) {
      row[key] = round(median(values));
    }
    const shown: Record<string, number> = {};
    for (const [key, values] of details[index] as Map<string, number[]>) {
      shown[key] = round(median(values));
    }
    return { row, samples: (samples[index] as number[]).map((v) => round(v)), details: shown };
  });
}

/** The order of repetition `rep`: `[rep, rep + 1, ...]` modulo `n`. */
export function rotation(n: number, rep: number): number[] {
  return Array.from({ length: n }, (_, k) => (rep + k) % n);
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

export function round(value: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

/** The row of a contender, or an error naming what is missing. */
export function rowOf(rows: readonly Row[], contender: string): Row {
  const row = rows.find((r) => r.contender === contender);
  if (!row) throw new Error(`No row for contender \`${contender}\``);
  return row;
}

/** `a.ms / b.ms`, or `a.ms / a.lowerBoundMs` when `b` is `'lower bound'`. */
export function ratio(rows: readonly Row[], a: string, b: string): number {
  const top = rowOf(rows, a);
  const bottom = b === 'lower bound' ? top.lowerBoundMs : rowOf(rows, b).ms;
  return top.ms / bottom;
}

/** A verdict on `a / b`: at most `max`, strictly below `below`, at least `min`. */
export function ratioVerdict(
  rows: readonly Row[],
  a: string,
  b: string,
  goal: { max?: number; below?: number; min?: number },
): Verdict {
  const value = ratio(rows, a, b);
  const checks: [string, boolean][] = [];
  if (goal.min !== undefined) checks.push([`>= ${goal.min}`, value >= goal.min]);
  if (goal.max !== undefined) checks.push([`<= ${goal.max}`, value <= goal.max]);
  if (goal.below !== undefined) checks.push([`< ${goal.below}`, value < goal.below]);
  return {
    label: `${a} / ${b}`,
    value: round(value, 3),
    goal: checks.map(([words]) => words).join(' and '),
    met: checks.every(([, ok]) => ok),
  };
}

/** Throws when a call did not succeed: a scheduler that fails fast must not look fast. */
export function assertAllSucceeded(
  results: readonly { id: string; status: string; error?: { message: string } }[],
): void {
  const failed = results.find((r) => r.status !== 'success');
  if (failed) {
    throw new Error(
      `Call ${failed.id} ended with ${failed.status}: ${failed.error?.message ?? ''}`,
    );
  }
}

/** A timer-based sleep that honours an AbortSignal and leaves nothing behind. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** A small seeded PRNG (mulberry32): reproducible scenarios. Returns floats in [0, 1). */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Formats one scenario's measurements as a text table. */
export function formatTable(measurements: readonly Measurement[]): string {
  const salvo = measurements.find((m) => m.row.contender === 'salvo');
  const base = new Set(['scenario', 'contender', 'ms', 'lowerBoundMs']);
  const extraKeys = [
    ...new Set(
      measurements.flatMap((m) => [
        ...Object.keys(m.row).filter((k) => !base.has(k)),
        ...Object.keys(m.details),
      ]),
    ),
  ];
  const header = [
    'contender',
    'median ms',
    'lower bound ms',
    'x salvo',
    'x lower bound',
    'reps',
    'min-max ms',
    ...extraKeys,
  ];
  const lines = measurements.map(({ row, samples, details }) => [
    row.contender,
    fmt(row.ms),
    fmt(row.lowerBoundMs),
    salvo ? fmt(row.ms / salvo.row.ms, 2) : '-',
    row.lowerBoundMs > 0 ? fmt(row.ms / row.lowerBoundMs, 3) : '-',
    String(samples.length),
    `${fmt(Math.min(...samples))}-${fmt(Math.max(...samples))}`,
    ...extraKeys.map((k) => {
      const value = row[k] ?? details[k];
      return typeof value === 'number' ? fmt(value) : (value ?? '');
    }),
  ]);
  const widths = header.map((h, i) =>
    Math.max(h.length, ...lines.map((l) => (l[i] as string).length)),
  );
  const render = (cells: string[]) =>
    cells
      .map((c, i) => (i === 0 ? c.padEnd(widths[i] as number) : c.padStart(widths[i] as number)))
      .join('  ');
  return [render(header), widths.map((w) => '-'.repeat(w)).join('  '), ...lines.map(render)].join(
    '\n',
  );
}

function fmt(value: number, digits?: number): string {
  if (!Number.isFinite(value)) return String(value);
  if (digits !== undefined) return value.toFixed(digits);
  return Math.abs(value) >= 100 ? value.toFixed(1) : value.toFixed(2);
}

function collect(into: Map<string, number[]>, values: Record<string, number> | undefined): void {
  if (!values) return;
  for (const [key, value] of Object.entries(values)) {
    const list = into.get(key);
    if (list) list.push(value);
    else into.set(key, [value]);
  }
}

/**
 * Lets timers, events and microtasks of the previous run drain before the next run starts.
 *
 * No forced garbage collection: a full `gc()` shrinks V8's young generation, so the next run pays
 * scavenges that a warm process never would (it doubled p-limit's time on 10,000 calls and
 * tripled salvo's). Contenders rotate order every repetition, so leftover garbage is spread
 * evenly, and medians absorb the rest.
 */
async function settleDown(): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, 10));
}
