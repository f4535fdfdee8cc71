import { createHash } from 'node:crypto';

const maxLength = 64;

/** Replaces every character providers reject with `_`. */
export function sanitizeName(name: string): string {
  const clean = name.replace(/[^A-Za-z0-9_-]/g, '_');
  return clean.length > 0 ? clean : '_';
}

/**
 * Gives out `server__tool` names that match `^[A-Za-z0-9_-]{1,64}$` and never repeat: a name
 * too long or already taken is cut and ends with a hash of the original pair.
 */
export class ToolNamer {
  readonly #taken = new Set<string>();

  name(server: string, tool: string): string {
    const plain = `${sanitizeName(server)}__${sanitizeName(tool)}`;
    if (plain.length <= maxLength && !this.#taken.has(plain)) {
      this.#taken.add(plain);
      return plain;
    }
    for (let attempt = 0; ; attempt++) {
      const hash = createHash('sha256')
        .update(`${server}\0${tool}\0${attempt}`)
        .digest('hex')
        .slice(0, 8);
      const named = `${plain.slice(0, maxLength - hash.length - 1)}_${hash}`;
      if (!this.#taken.has(named)) {
        this.#taken.add(named);
        return named;
      }
    }
  }
}
