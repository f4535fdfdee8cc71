import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { AgentMessage } from '../agent/model.js';

/** Where a session's transcript goes unless `--transcript` says: `~/.salvo/sessions/<time>-<pid>.json`. */
export function defaultTranscriptPath(home: string, now: Date = new Date()): string {
  const stamp = now.toISOString().replace(/[:.]/g, '-');
  return join(home, '.salvo', 'sessions', `${stamp}-${process.pid}.json`);
}

export interface TranscriptFile {
  provider: string;
  model: string;
  cwd: string;
  finishReason: string;
  /** salvo's own format: every tool call with its result. */
  messages: readonly AgentMessage[];
  /** The same, in the provider's message format (ready to send again). */
  transcript: readonly unknown[];
  usage: { inputTokens: number; outputTokens: number };
}

/** Writes the transcript (creating its folder); written again after every prompt of a session. */
export async function saveTranscript(path: string, data: TranscriptFile): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(
    path,
    `${JSON.stringify({ version: 1, savedAt: new Date().toISOString(), ...data }, null, 2)}\n`,
  );
}
