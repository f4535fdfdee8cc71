export { type BuiltinToolsOptions, builtinTools } from './builtin-tools.js';
export { type EditFileInput, type EditFileToolOptions, editFileTool } from './edit-file.js';
export { type GlobInput, type GlobToolOptions, globTool } from './glob.js';
export { type GrepInput, type GrepToolOptions, grepTool } from './grep.js';
export { type ListDirInput, type ListDirToolOptions, listDirTool } from './list-dir.js';
export { type ReadFileInput, type ReadFileToolOptions, readFileTool } from './read-file.js';
export { detectSandbox, type SandboxStatus } from './sandbox.js';
export {
  type ShellInput,
  type ShellSandbox,
  type ShellTool,
  type ShellToolOptions,
  shellTool,
} from './shell.js';
export {
  classifyShellCommand,
  readOnlyCommands,
  type ShellClassification,
  type ShellClassifyOptions,
} from './shell-classify.js';
export { isSecretVariable, scrubEnvironment } from './shell-env.js';
export { ToolError, type ToolErrorCode } from './tool-error.js';
export {
  createWorkspace,
  type ResolvedPath,
  Workspace,
  type WorkspaceOptions,
} from './workspace.js';
export { type WriteFileInput, type WriteFileToolOptions, writeFileTool } from './write-file.js';
