import { closeSync, type Dirent, readSync, statSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { openRegularFile } from '../../tools/open-file.js';
import { formatBytes, isBinary } from '../../tools/text-file.js';
import { errnoCode, ToolError } from '../../tools/tool-error.js';
import { type ResolvedPath, Workspace } from '../../tools/workspace.js';
import { findMentions, type Mention } from './find-mentions.js';

export interface ExpandMentionsOptions {
  /** The workspace: only files inside it are attached. */
  root: string;
  /** Bytes of one file attached; a longer file is cut, with a note. @default 100_000 */
  maxBytes?: number;
  /** Bytes of every attachment together. @default 400_000 */
  maxTotalBytes?: number;
  /** Entries of a folder listed. @default 200 */
  maxEntries?: number;
  /** Mentions attached; more are left as text. @default 20 */
  maxMentions?: number;
  signal?: AbortSignal;
}

/** A file or folder attached to the prompt. */
export interface Attachment {
  /** As typed: `@src/a.ts`. */
  mention: string;
  /** Relative to the root, `/`-separated; a folder's ends with `/`. */
  path: string;
  kind: 'file' | 'directory';
  /** Bytes of a file attached, or entries of a folder listed. */
  size: number;
  /** The file was longer than what was attached, or the folder had more entries. */
  truncated: boolean;
}

export interface ExpandedPrompt {
  /** The prompt for the model: the text as typed, then each attachment in a block. */
  prompt: string;
  attachments: Attachment[];
  /** One line each, for the user: what was not attached and why, what was cut. */
  notices: string[];
}

/** Whether a mention that names nothing looks like a path worth a word (`@Override` does not). */
function looksLikePath(mention: Mention): boolean {
  return mention.quoted || /[/.]/u.test(mention.path);
}

/** A file name with its control characters (a line break in a name) escaped. */
function visibleName(name: string): string {
  return name.replace(/\p{Cc}/gu, (c) => JSON.stringify(c).slice(1, -1));
}

function attribute(value: string): string {
  return visibleName(value).replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
}

/**
 * Attaches the files and folders mentioned as `@path` in a prompt (see `findMentions`): the
 * text stays as typed, and each one follows it in a block, `<file path="src/a.ts">…</file>` or
 * `<directory path="src/">` with its entries. Only paths inside the workspace are attached (no
 * `..` out, no absolute path elsewhere, no symlink that leads out), only regular text files (a
 * binary, a pipe or a device is refused), each cut to `maxBytes`. A mention of nothing is left as
 * text. Never throws: what was not attached is said in `notices`.
 */
export async function expandMentions(
  text: string,
  options: ExpandMentionsOptions,
): Promise<ExpandedPrompt> {
  const result: ExpandedPrompt = { prompt: text, attachments: [], notices: [] };
  const mentions = findMentions(text);
  if (mentions.length === 0) return result;
  let workspace: Workspace;
  try {
    workspace = new Workspace({ root: options.root });
  } catch {
    result.notices.push(`@ mentions not attached: the workspace ${options.root} cannot be read`);
    return result;
  }
  const limits = {
    maxBytes: options.maxBytes ?? 100_000,
    budget: options.maxTotalBytes ?? 400_000,
    maxEntries: options.maxEntries ?? 200,
  };
  const maxMentions = options.maxMentions ?? 20;
  const blocks: string[] = [];
  const seen = new Set<string>();
  for (const mention of mentions) {
    options.signal?.throwIfAborted();
    const found = locate(workspace, mention);
    if ('notice' in found) {
      if (found.notice) result.notices.push(`${mention.raw}: ${found.notice}`);
      continue;
    }
    if (seen.has(found.path.path)) continue;
    if (seen.size >= maxMentions) {
      result.notices.push(
        `${mention.raw}: not attached: at most ${maxMentions} files or folders per prompt`,
      );
      continue;
    }
    seen.add(found.path.path);
    const attached = found.directory
      ? await listFolder(found.path, mention, limits.maxEntries)
      : readFile(workspace, found.path, mention, limits);
    if ('notice' in attached) {
      result.notices.push(`${mention.raw}: ${attached.notice}`);
      continue;
    }
    blocks.push(attached.block);
    result.attachments.push(attached.attachment);
    if (attached.note) result.notices.push(`${mention.raw}: ${attached.note}`);
  }
  if (blocks.length > 0) result.prompt = `${text}\n\n${blocks.join('\n\n')}`;
  return result;
}

type Located = { path: ResolvedPath; directory: boolean } | { notice: string | undefined };

/** The first reading of the mention that exists in the workspace, or why there is none. */
function locate(workspace: Workspace, mention: Mention): Located {
  for (const candidate of mention.candidates) {
    let path: ResolvedPath;
    try {
      path = workspace.resolve(candidate);
    } catch (error) {
      if (ToolError.isInstance(error) && error.code === 'outside-workspace') {
        return { notice: 'outside the workspace; not attached' };
      }
      continue;
    }
    try {
      return { path, directory: statSync(path.path).isDirectory() };
    } catch (error) {
      const code = errnoCode(error);
      if (code === 'ENOENT' || code === 'ENOTDIR') continue;
      return { notice: `cannot be read (${code ?? 'unknown error'}); not attached` };
    }
  }
  return {
    notice: looksLikePath(mention)
      ? 'no such file or folder in the workspace; sent as text'
      : undefined,
  };
}

type Attached = { block: string; attachment: Attachment; note?: string } | { notice: string };

function readFile(
  workspace: Workspace,
  path: ResolvedPath,
  mention: Mention,
  limits: { maxBytes: number; budget: number },
): Attached {
  let opened: { fd: number; size: number };
  try {
    opened = openRegularFile({ workspace, path: path.path });
  } catch (error) {
    if (ToolError.isInstance(error)) {
      return {
        notice:
          error.code === 'outside-workspace'
            ? 'outside the workspace; not attached'
            : 'not a regular file (a pipe, a socket or a device); not attached',
      };
    }
    return { notice: `cannot be read (${errnoCode(error) ?? 'unknown error'}); not attached` };
  }
  const room = Math.min(limits.maxBytes, limits.budget);
  let bytes: Buffer;
  try {
    if (room <= 0) {
      return { notice: 'not attached: the attachments of this prompt already reach their limit' };
    }
    bytes = readUpTo(opened.fd, room + 1);
  } catch (error) {
    return { notice: `cannot be read (${errnoCode(error) ?? 'unknown error'}); not attached` };
  } finally {
    closeSync(opened.fd);
  }
  if (isBinary(bytes)) return { notice: 'a binary file; only text files are attached' };
  const truncated = bytes.length > room;
  const kept = truncated ? cutUtf8(bytes.subarray(0, room)) : bytes;
  limits.budget -= kept.length;
  const size = Math.max(opened.size, bytes.length);
  const content = kept.toString('utf8');
  const cut = truncated
    ? ` truncated="the first ${formatBytes(kept.length)} of ${formatBytes(size)}"`
    : '';
  const block = `<file path="${attribute(path.relative)}"${cut}>\n${content}${content.endsWith('\n') || content === '' ? '' : '\n'}</file>`;
  return {
    block,
    attachment: {
      mention: mention.raw,
      path: path.relative,
      kind: 'file',
      size: kept.length,
      truncated,
    },
    ...(truncated
      ? { note: `${formatBytes(size)}; attached the first ${formatBytes(kept.length)}` }
      : {}),
  };
}

/** Up to `length` bytes from the start of the file. */
function readUpTo(fd: number, length: number): Buffer {
  const buffer = Buffer.alloc(length);
  let filled = 0;
  while (filled < length) {
    const read = readSync(fd, buffer, filled, length - filled, filled);
    if (read === 0) break;
    filled += read;
  }
  return buffer.subarray(0, filled);
}

/** `bytes` without a UTF-8 character cut in half at its end. */
function cutUtf8(bytes: Buffer): Buffer {
  let end = bytes.length;
  // Back over continuation bytes to the start of the last character; drop it if incomplete.
  let start = end - 1;
  while (start > 0 && start > end - 4 && ((bytes[start] as number) & 0xc0) === 0x80) start--;
  const lead = bytes[start] as number;
  const needed = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc0 ? 2 : 1;
  if (end - start < needed) end = start;
  return bytes.subarray(0, end);
}

async function listFolder(
  path: ResolvedPath,
  mention: Mention,
  maxEntries: number,
): Promise<Attached> {
  let entries: Dirent[];
  try {
    entries = await readdir(path.path, { withFileTypes: true });
  } catch (error) {
    return { notice: `cannot be listed (${errnoCode(error) ?? 'unknown error'}); not attached` };
  }
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const shown = entries
    .slice(0, maxEntries)
    .map((e) => `${visibleName(e.name)}${e.isDirectory() ? '/' : ''}`);
  const more = entries.length - shown.length;
  if (more > 0) shown.push(`… and ${more} more`);
  if (entries.length === 0) shown.push('(empty)');
  const name = path.relative === '.' ? './' : `${path.relative}/`;
  const truncated = more > 0;
  return {
    block: `<directory path="${attribute(name)}">\n${shown.join('\n')}\n</directory>`,
    attachment: {
      mention: mention.raw,
      path: name,
      kind: 'directory',
      size: Math.min(entries.length, maxEntries),
      truncated,
    },
    ...(truncated ? { note: `${entries.length} entries; listed the first ${maxEntries}` } : {}),
  };
}
