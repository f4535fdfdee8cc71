import { readdirSync } from 'node:fs';
import { join, sep } from 'node:path';

/** More matches than this are not checked one by one: the caller refuses instead. */
export const maxWildcardMatches = 1000;

/**
 * The existing paths an absolute path with shell wildcards (`*`, `?`, `[...]`) matches, as the
 * shell would expand it: part by part, a leading dot matched only by a leading dot. A path
 * without wildcards is returned as it is. `undefined` when it matches more than
 * `maxWildcardMatches` paths. Reads folder listings only.
 */
export function expandWildcards(path: string): string[] | undefined {
  if (!/[*?[]/.test(path)) return [path];
  const parts = path.split(sep).filter((part) => part !== '');
  let current: string[] = [sep];
  for (const part of parts) {
    if (!/[*?[]/.test(part)) {
      current = current.map((dir) => join(dir, part));
      continue;
    }
    const pattern = wildcardPattern(part);
    const next: string[] = [];
    for (const dir of current) {
      let names: string[];
      try {
        names = readdirSync(dir);
      } catch {
        continue;
      }
      for (const name of names) {
        if (name.startsWith('.') && !part.startsWith('.')) continue;
        if (pattern.test(name)) next.push(join(dir, name));
      }
      if (next.length > maxWildcardMatches) return undefined;
    }
    current = next;
  }
  return current;
}

/** A shell wildcard as an anchored regular expression. */
function wildcardPattern(part: string): RegExp {
  let source = '';
  for (let i = 0; i < part.length; i++) {
    const c = part[i] as string;
    if (c === '*') source += '.*';
    else if (c === '?') source += '.';
    else if (c === '[') {
      const end = part.indexOf(']', i + 2);
      if (end < 0) {
        source += '\\[';
        continue;
      }
      let set = part.slice(i + 1, end);
      if (set.startsWith('!')) set = `^${set.slice(1)}`;
      source += `[${set.replace(/\\/g, '\\\\')}]`;
      i = end;
    } else source += c.replace(/[.+^${}()|\\]/g, '\\$&');
  }
  return new RegExp(`^${source}$`, 's');
}
