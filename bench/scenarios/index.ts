import type { Scenario } from '../harness.js';
import { approvals } from './approvals.js';
import { batchTool } from './batch-tool.js';
import { bigRepo } from './big-repo.js';
import { codingTurn } from './coding-turn.js';
import { dag } from './dag.js';
import { distributed } from './distributed.js';
import { fanOut } from './fan-out.js';
import { frameworks } from './frameworks.js';
import { mcpFanOut } from './mcp-fan-out.js';
import { mixedTurn } from './mixed-turn.js';
import { overhead } from './overhead.js';
import { startup } from './startup.js';
import { streaming } from './streaming.js';
import { subagents } from './subagents.js';
import { subagentsScale } from './subagents-scale.js';

/**
 * Every scenario, in the order `npm run bench` runs them. Add a scenario by writing a module that
 * exports a `Scenario` and listing it here.
 */
export const scenarios: readonly Scenario[] = [
  fanOut,
  mixedTurn,
  approvals,
  overhead,
  dag,
  codingTurn,
  streaming,
  mcpFanOut,
  subagents,
  subagentsScale,
  batchTool,
  bigRepo,
  startup,
  frameworks,
  distributed,
];
