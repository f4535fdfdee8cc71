import { demoProjectFiles } from './demo-project.js';

/** The review areas, one reviewer subagent each, in the order the root starts them. */
export const reviewAreas = ['security', 'correctness', 'performance', 'tests', 'style'] as const;

export type ReviewArea = (typeof reviewAreas)[number];

/** A problem planted in the demo project, as a reviewer reports it. */
export interface DemoFinding {
  /** Entity name in the memory graph. */
  id: string;
  area: ReviewArea;
  /** Path relative to the project root. */
  file: string;
  /** 1-based line of `needle` in the generated file. */
  line: number;
  /** Text that occurs once in the file, on that line. */
  needle: string;
  /** The one-line finding. */
  summary: string;
  /** The fix the root applies with edit_file, when it fixes this one. */
  fix?: { oldString: string; newString: string };
}

type Planted = Omit<DemoFinding, 'line'>;

const planted: Planted[] = [
  {
    id: 'sql-injection',
    area: 'security',
    file: 'src/db/users.ts',
    needle: `"SELECT id, email, name FROM users WHERE email = '" + email + "'",`,
    summary: 'SQL built by string concatenation from `email` (injection); use a $1 parameter',
    fix: {
      oldString: `  const { rows } = await pool.query<User>(\n    "SELECT id, email, name FROM users WHERE email = '" + email + "'",\n  );`,
      newString: `  const { rows } = await pool.query<User>('SELECT id, email, name FROM users WHERE email = $1', [\n    email,\n  ]);`,
    },
  },
  {
    id: 'hard-coded-secret',
    area: 'security',
    file: 'src/config.ts',
    needle: `'c9f1e4b27a6d4e0f8b3a5d2e7f9c1a04'`,
    summary: 'hard-coded JWT secret fallback; fail at startup when JWT_SECRET is unset',
  },
  {
    id: 'missing-await',
    area: 'correctness',
    file: 'src/handlers/orders.ts',
    needle: '  saveOrder(order);',
    summary:
      '`saveOrder(order)` is not awaited: 201 is sent before the insert commits, and its rejection is unhandled',
    fix: { oldString: '  saveOrder(order);\n', newString: '  await saveOrder(order);\n' },
  },
  {
    id: 'quadratic-report',
    area: 'performance',
    file: 'src/utils/report.ts',
    needle: 'const user = users.find((candidate) => candidate.id === order.userId);',
    summary: '`users.find` inside the loop over orders is O(orders x users); index users in a Map',
  },
  {
    id: 'unbounded-report',
    area: 'performance',
    file: 'src/handlers/reports.ts',
    needle: '// TODO: paginate; this loads every order of the month into memory',
    summary: 'the monthly report loads every order of the month at once (see its TODO)',
  },
  {
    id: 'untested-failure-path',
    area: 'tests',
    file: 'tests/orders.test.ts',
    needle: "it('creates an order', async () => {",
    summary:
      'only the happy path of createOrder is tested; the mocked saveOrder hides the missing await',
  },
  {
    id: 'untested-auth',
    area: 'tests',
    file: 'src/auth/middleware.ts',
    needle: 'export function requireUser(handler: Handler): Handler {',
    summary: 'no tests for src/auth/ or src/db/users.ts (token checks, unknown users)',
  },
  {
    id: 'stale-todo',
    area: 'style',
    file: 'src/handlers/reports.ts',
    needle: '// TODO: paginate; this loads every order of the month into memory',
    summary: 'TODO left in a request handler; track it in an issue instead',
  },
  {
    id: 'unused-export',
    area: 'style',
    file: 'src/utils/format.ts',
    needle: 'export function formatCentsLegacy(cents: number): string {',
    summary: '`formatCentsLegacy` is exported but used nowhere; delete it',
  },
];

/** Every planted finding with its line in the generated files. Throws if a needle went stale. */
export function demoFindings(): DemoFinding[] {
  const files = demoProjectFiles();
  return planted.map((finding) => {
    const text = files[finding.file];
    if (text === undefined) throw new Error(`demo finding ${finding.id}: no file ${finding.file}`);
    const at = text.indexOf(finding.needle);
    if (at === -1 || text.indexOf(finding.needle, at + 1) !== -1) {
      throw new Error(`demo finding ${finding.id}: needle must occur once in ${finding.file}`);
    }
    return { ...finding, line: text.slice(0, at).split('\n').length };
  });
}

/** `- src/db/users.ts:11 — SQL built by ...`: a finding as a reviewer's bullet line. */
export function findingBullet(finding: DemoFinding): string {
  return `- ${finding.file}:${finding.line} — ${finding.summary}`;
}
