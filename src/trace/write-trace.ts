import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, extname } from 'node:path';
import { InvalidOptionError } from '../errors.js';
import type { TurnTrace } from './call-trace.js';
import { toChromeTrace } from './chrome-trace.js';
import { renderHtmlReport } from './html-report.js';
import type { RunSource } from './run-advice.js';

/**
 * Writes a run's trace to `path`, in the format its extension names: `.html` for the
 * self-contained report, `.json` for Chrome Trace Event JSON (Perfetto, chrome://tracing).
 */
export async function writeTrace(
  path: string,
  trace: TurnTrace | readonly TurnTrace[],
  options: {
    title?: string;
    /** Where the run came from: advice in the report names CLI flags or library options. */
    source?: RunSource;
  } = {},
): Promise<void> {
  const ext = extname(path).toLowerCase();
  const source = options.source === undefined ? {} : { source: options.source };
  let text: string;
  if (ext === '.html' || ext === '.htm') {
    text = renderHtmlReport(trace, {
      ...source,
      ...(options.title === undefined ? {} : { title: options.title }),
    });
  } else if (ext === '.json') {
    text = `${JSON.stringify(toChromeTrace(trace, source))}\n`;
  } else {
    throw new InvalidOptionError('path', 'a file name ending in .html or .json', path);
  }
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, text);
}
