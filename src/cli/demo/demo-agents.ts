import type { SubagentDefinition } from '../../subagent/subagent-manager.js';
import { type ReviewArea, reviewAreas } from './demo-findings.js';

/** The tools a reviewer may use: reading and searching, and the memory graph to record findings. */
export const reviewerTools = [
  'read_file',
  'list_dir',
  'glob',
  'grep',
  'shell',
  'files__read_text_file',
  'files__search_files',
  'memory__create_entities',
  'memory__create_relations',
  'memory__add_observations',
  'memory__search_nodes',
] as const;

const focus: Record<ReviewArea, string> = {
  security: 'injection, secrets in the source, authentication and authorization checks',
  correctness: 'unawaited promises, wrong error handling, logic that does not do what it says',
  performance: 'work that grows faster than its input, unbounded queries, needless round trips',
  tests: 'what the tests cover, what they miss, and tests that would not catch a regression',
  style: 'dead code, stale TODOs, naming and consistency with the rest of the code base',
};

/** The definition name of an area's reviewer: `security-reviewer`. */
export function reviewerName(area: ReviewArea): string {
  return `${area}-reviewer`;
}

/** The opening line of a reviewer's system prompt; the scripted model tells reviewers apart by it. */
export function reviewerIntro(area: ReviewArea): string {
  return `You are the ${area} reviewer of a code review.`;
}

/** One reviewer subagent per review area (`security-reviewer`, ...), with read-only tools. */
export function demoAgentDefinitions(): SubagentDefinition[] {
  return reviewAreas.map((area) => ({
    name: reviewerName(area),
    description: `Reviews a code base for ${area} problems: ${focus[area]}.`,
    prompt: [
      reviewerIntro(area),
      `Look for ${focus[area]}. Search first (grep, glob), then read the files that matter.`,
      'Record each finding in the memory graph as an entity of type `review-finding` related to the project, so later reviews can build on it.',
      'Do not edit files. Answer with 2 to 4 bullet lines, each `path:line — finding`, most important first.',
    ].join('\n'),
    tools: [...reviewerTools],
    maxTurns: 6,
  }));
}
