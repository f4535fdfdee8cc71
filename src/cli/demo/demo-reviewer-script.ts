import { type DemoFinding, findingBullet, type ReviewArea } from './demo-findings.js';
import { call, type ScriptCall, type ScriptStep } from './demo-script.js';

/** What a reviewer does before it records its findings: searches and reads, then a closer look. */
const investigation: Record<ReviewArea, [ScriptStep, ScriptStep]> = {
  security: [
    {
      text: 'Two things usually go wrong in a service like this: queries assembled from strings, and secrets committed with the code. I will search for both across src/, and read the user queries and the config, where they would most likely be.',
      calls: [
        call('grep', { pattern: `(SELECT|INSERT|UPDATE|DELETE).*["'] \\+ `, path: 'src' }),
        call('grep', {
          pattern: '(secret|password|api_?key)\\w*\\s*[:=]',
          path: 'src',
          ignore_case: true,
        }),
        call('files__read_text_file', { path: 'src/db/users.ts' }),
        call('read_file', { path: 'src/config.ts' }),
      ],
    },
    {
      text: 'Both are there. findUserByEmail concatenates `email` into its SELECT, and config.ts falls back to a literal JWT secret when JWT_SECRET is unset. The email comes from the token claims, so I will check how the token is verified and where the lookup is called before I record both findings.',
      calls: [
        call('files__read_text_file', { path: 'src/auth/jwt.ts' }),
        call('read_file', { path: 'src/auth/middleware.ts' }),
      ],
    },
  ],
  correctness: [
    {
      text: 'The db module is all async functions, so the first thing to check is that every call to one of them is awaited. I will list the async functions of src/db/, search the handlers for calls that start a statement without await, and read the orders handler and its queries.',
      calls: [
        call('grep', { pattern: '^export async function', path: 'src/db' }),
        call('grep', {
          pattern: '^\\s+(saveOrder|ordersOfUser|ordersBetween|listUsers|findUser\\w*)\\(',
          path: 'src/handlers',
        }),
        call('files__read_text_file', { path: 'src/handlers/orders.ts' }),
        call('read_file', { path: 'src/db/orders.ts' }),
      ],
    },
    {
      text: 'createOrder calls saveOrder without await: it answers 201 before the transaction commits, and if the insert fails the rejection is unhandled and the client believes the order exists. I will check the other handlers and the auth middleware for the same pattern.',
      calls: [
        call('read_file', { path: 'src/handlers/reports.ts' }),
        call('files__read_text_file', { path: 'src/auth/middleware.ts' }),
      ],
    },
  ],
  performance: [
    {
      text: 'For a service of this size the usual suspects are lookups inside loops and queries without a bound. I will search for array scans and loops in src/, and read the report builder and the report handler, the only code that handles many orders at once.',
      calls: [
        call('grep', { pattern: '\\.(find|filter|some|includes)\\(', path: 'src' }),
        call('grep', { pattern: 'for \\(const|SELECT \\* FROM', path: 'src' }),
        call('files__read_text_file', { path: 'src/utils/report.ts' }),
        call('read_file', { path: 'src/handlers/reports.ts' }),
      ],
    },
    {
      text: 'salesByUser calls users.find once per order, so the report is O(orders x users), and the monthly report loads every order of the month in one query before it even starts. Reading the query behind it to see whether it is bounded anywhere.',
      calls: [call('read_file', { path: 'src/db/orders.ts', offset: 20 })],
    },
  ],
  tests: [
    {
      text: 'To judge the tests I need to know what exists on both sides. I will list the test files and the source modules, list every test case, and count the lines of each suite to see how much they really check.',
      calls: [
        call('glob', { pattern: 'tests/**/*.test.ts' }),
        call('glob', { pattern: 'src/**/*.ts' }),
        call('grep', { pattern: "^\\s*it\\('", path: 'tests' }),
        call('shell', {
          command: 'wc -l tests/format.test.ts tests/orders.test.ts tests/paginate.test.ts',
        }),
      ],
    },
    {
      text: 'Three small suites for 16 modules: formatting, pagination and createOrder. Nothing covers src/auth/ or the queries in src/db/. I will read the orders test to see what it really checks, and the middleware that has no test at all.',
      calls: [
        call('files__read_text_file', { path: 'tests/orders.test.ts' }),
        call('read_file', { path: 'src/auth/middleware.ts' }),
      ],
    },
  ],
  style: [
    {
      text: 'I will look for leftovers first: TODO and FIXME comments anywhere in src/, and the exports of the utility modules, which tend to collect dead code. Then I will read format.ts, the utility with the most exports.',
      calls: [
        call('grep', { pattern: 'TODO|FIXME|XXX', path: 'src' }),
        call('grep', { pattern: '^export (async )?function \\w+', path: 'src/utils' }),
        call('files__read_text_file', { path: 'src/utils/format.ts' }),
      ],
    },
    {
      text: 'format.ts exports formatCents, formatDate and formatCentsLegacy. I will check which of them are imported anywhere, and read the top of the report handler where the TODO is.',
      calls: [
        call('grep', { pattern: 'formatCentsLegacy|formatDate|formatCents\\b', path: '.' }),
        call('read_file', { path: 'src/handlers/reports.ts', limit: 12 }),
      ],
    },
  ],
};

const verdicts: Record<ReviewArea, string> = {
  security:
    'The injection is reachable by anyone who can get a token with a crafted email: fix it first. The JWT checks themselves look right (jwt.verify with the configured secret, no algorithm override).',
  correctness:
    'The other handlers and the auth middleware await every db call; the error path of the server turns rejections into 500s, so this is the only place a failure is lost.',
  performance:
    'Neither matters with a hundred orders; both will once the shop has a few thousand a month. A Map from user id to user makes the loop linear, and a cursor or a page size bounds the query.',
  tests:
    'A test of the failure path (saveOrder rejecting) would have caught the missing await: the mock resolves synchronously, so the happy path passes either way.',
  style:
    'Nothing else stands out: naming, layout and error handling are consistent across the modules.',
};

/**
 * A reviewer's session: two steps of searching and reading (its findings recorded in the memory
 * graph with the second), then its answer. `step` is the number of answers it already gave.
 */
export function reviewerStep(
  area: ReviewArea,
  step: number,
  findings: readonly DemoFinding[],
): ScriptStep {
  const mine = findings.filter((f) => f.area === area);
  const [first, second] = investigation[area];
  if (step === 0) return first;
  if (step === 1) return { text: second.text, calls: [...second.calls, ...record(area, mine)] };
  return {
    text: [
      `${area[0]?.toUpperCase()}${area.slice(1)} review of orders-api:`,
      ...mine.map(findingBullet),
      '',
      verdicts[area],
    ].join('\n'),
    calls: [],
  };
}

/** The memory writes of a reviewer: its findings as entities, each related to the project. */
function record(area: ReviewArea, mine: readonly DemoFinding[]): ScriptCall[] {
  return [
    call('memory__create_entities', {
      entities: [
        {
          name: 'orders-api',
          entityType: 'project',
          observations: ['TypeScript HTTP service: users, orders, monthly report'],
        },
        ...mine.map((f) => ({
          name: f.id,
          entityType: 'review-finding',
          observations: [`${f.file}:${f.line}`, f.summary, `area: ${area}`],
        })),
      ],
    }),
    call('memory__create_relations', {
      relations: mine.map((f) => ({ from: f.id, to: 'orders-api', relationType: 'found-in' })),
    }),
  ];
}
