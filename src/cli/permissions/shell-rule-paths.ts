import { protectedWordPart } from './protected-paths.js';

/**
 * What in a shell word may be a path. A rule's program is not known to salvo option by option,
 * so every word is read as if it held paths: the whole word, each part after `=`, `:` or `,`
 * (`--basetemp=/x`, `-o cache_dir=x`, `a:/x`), and what follows a short option's letter
 * (`-F/etc/passwd`). URLs other than `file:` are left out: they name no local file.
 */
export function pathPieces(value: string): string[] {
  const pieces = new Set<string>([value]);
  const shortValue = /^-[A-Za-z0-9](.+)$/.exec(value);
  if (shortValue?.[1]) pieces.add(shortValue[1]);
  for (const part of value.split('=')) {
    if (isUrl(part)) {
      pieces.add(part);
      continue;
    }
    pieces.add(part);
    for (const piece of part.split(/[:,]/)) pieces.add(piece);
  }
  return [...pieces].filter((p) => p !== '' && !(isUrl(p) && !isFileUrl(p)));
}

/**
 * Why a word of a command may reach outside the workspace or into the files that decide what
 * runs, or `undefined`: an absolute path, `~`, a `..` part, a `file:` URL, or a protected name
 * (`.git`, `.npmrc`, `.vscode`... see `protected-paths.ts`). Fail-closed: a commit message that
 * says `/etc` is asked about too.
 */
export function wordPathProblem(value: string): string | undefined {
  for (const piece of pathPieces(value)) {
    if (isFileUrl(piece)) return 'a `file:` URL names a local path';
    if (piece.startsWith('/')) return 'an absolute path may be outside the workspace';
    if (piece.startsWith('~')) return 'a `~` path is outside the workspace';
    if (piece.split('/').includes('..')) return 'a `..` path may lead outside the workspace';
    const part = protectedWordPart(piece);
    if (part) return `\`${part}\` holds files that decide what runs`;
  }
  return undefined;
}

/** The pieces of a word to resolve in the workspace: relative ones (the others are refused). */
export function relativePathPieces(value: string): string[] {
  return pathPieces(value).filter((p) => !isUrl(p) && !p.startsWith('-'));
}

function isUrl(text: string): boolean {
  return /^[A-Za-z][A-Za-z0-9+.-]*:\/\//.test(text);
}

function isFileUrl(text: string): boolean {
  return /^file:/i.test(text);
}
