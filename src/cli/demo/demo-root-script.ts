import { reviewerName } from './demo-agents.js';
import { type DemoFinding, type ReviewArea, reviewAreas } from './demo-findings.js';
import { reviewMarkdown } from './demo-review-markdown.js';
import { call, type ScriptStep } from './demo-script.js';

/** The user's request that starts the demo session. */
export const demoPrompt =
  'Review this project (orders-api) before the release: security, correctness, performance, tests and style. Fix what is clearly a bug, write the review to REVIEW.md, and tell me what is left.';

const serverRoles: Record<string, string> = {
  files: '`files` (the file system)',
  memory: '`memory` (a knowledge graph that persists across sessions)',
};

/** The root agent's system prompt, naming the MCP servers that are connected. */
export function demoSystemPrompt(servers: readonly string[]): string {
  const base =
    'You are a coding agent working in the repository at the workspace root. Use the tools to read, search and edit it.';
  if (servers.length === 0) return base;
  return `${base} Connected MCP servers: ${servers.map((s) => serverRoles[s] ?? `\`${s}\``).join(', ')}.`;
}

const taskPrompts: Record<ReviewArea, string> = {
  security:
    'Review orders-api (the workspace root) for security: SQL built from strings in src/db/, secrets in the source, the JWT checks in src/auth/.',
  correctness:
    'Review the handlers of orders-api (src/handlers/) for correctness: every async db call awaited, errors reaching the caller.',
  performance:
    'Review orders-api for performance: loops over query results, unbounded queries, anything quadratic in orders or users.',
  tests:
    'Review the tests of orders-api (tests/) against src/: modules without tests, paths not covered, tests that would miss a regression.',
  style:
    'Review orders-api (src/) for style and dead code: TODOs, unused exports, inconsistent naming.',
};

/**
 * The root agent's session: orient (7 calls at once), fan out one reviewer per area, apply two
 * fixes and write REVIEW.md, then report. `step` is the number of answers it already gave.
 */
export function rootStep(
  step: number,
  findings: readonly DemoFinding[],
  /** Entities the memory graph held when the root read it; `undefined`: not read. */
  remembered?: number,
): ScriptStep {
  const fixed = findings.filter((f) => f.fix);
  switch (step) {
    case 0:
      return {
        text: "I'll get oriented first: the layout, the manifest and README, what the memory graph already knows about this project, and how big the files are.",
        calls: [
          call('list_dir', { path: '.' }),
          call('glob', { pattern: 'src/**/*.ts' }),
          call('read_file', { path: 'package.json' }),
          call('read_file', { path: 'README.md' }),
          call('files__directory_tree', { path: '.' }),
          call('memory__read_graph', {}),
          call('shell', { command: 'wc -l src/*.ts src/*/*.ts tests/*.ts' }),
        ],
      };
    case 1:
      return {
        text: `A small TypeScript service: 16 modules (HTTP handlers, a Postgres layer, JWT auth, utilities) and 3 test files, about 340 lines; ${memoryNote(remembered)}. Five focused reviews can run at the same time, so I will hand one area to each reviewer.`,
        calls: reviewAreas.map((area) =>
          call('task', {
            description: `${area[0]?.toUpperCase()}${area.slice(1)} review`,
            prompt: taskPrompts[area],
            agent: reviewerName(area),
          }),
        ),
      };
    case 2:
      return {
        text: `The reviewers found ${findings.length} problems. Two are bugs with an obvious fix: the SQL injection in findUserByEmail and the unawaited saveOrder in createOrder. I'll fix both, write REVIEW.md, check that neither pattern is left${remembered === undefined ? '' : ', and mark them fixed in memory'}.`,
        calls: [
          ...fixed.map((f) =>
            call('edit_file', {
              path: f.file,
              old_string: f.fix?.oldString,
              new_string: f.fix?.newString,
            }),
          ),
          call('write_file', { path: 'REVIEW.md', content: reviewMarkdown(findings) }),
          call('grep', { pattern: '" \\+ email|^\\s+saveOrder\\(', path: 'src' }),
          call('memory__add_observations', {
            observations: fixed.map((f) => ({
              entityName: f.id,
              contents: [`fixed in the review of orders-api (${f.file})`],
            })),
          }),
        ],
      };
    default: {
      const open = findings.filter((f) => !f.fix);
      return {
        text: [
          `Review done: ${findings.length} findings from ${reviewAreas.length} reviewers, in REVIEW.md${remembered === undefined ? '' : ' and in the memory graph'}.`,
          '',
          'Fixed:',
          ...fixed.map((f) => `- ${f.file}:${f.line} — ${f.summary}`),
          '',
          `Still open (${open.length}): the hard-coded JWT secret (rotate it, it has been in the repository), the quadratic report loop and the unbounded monthly query, missing tests for auth and the order failure path, a stale TODO and an unused export.`,
        ].join('\n'),
        calls: [],
      };
    }
  }
}

function memoryNote(remembered: number | undefined): string {
  if (remembered === undefined) return 'no memory server to consult';
  if (remembered === 0) return 'nothing about it in memory yet';
  return `memory already holds ${remembered} entities from an earlier review, which the reviewers can build on`;
}
