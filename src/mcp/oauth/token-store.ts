import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type {
  OAuthClientInformationMixed,
  OAuthTokens,
} from '@modelcontextprotocol/sdk/shared/auth.js';

/** What salvo keeps for one server: its tokens and the client it registered. */
export interface StoredServerAuth {
  /** The server's URL when they were saved: tokens never go to another URL under the same name. */
  url: string;
  tokens?: OAuthTokens & {
    /** When the access token expires (ms since the epoch), from `expires_in`. */
    expires_at?: number;
  };
  clientInformation?: OAuthClientInformationMixed;
  savedAt?: string;
}

interface StoreFile {
  version: 1;
  servers: Record<string, StoredServerAuth>;
}

/**
 * Tokens per server in one JSON file that only its owner can read (mode 0600, its folder 0700),
 * written whole to a temporary file and renamed over, so a crash never leaves half a file.
 * Changes made through one store are serialized; the file is read afresh for each.
 */
export class McpTokenStore {
  readonly file: string;
  #queue: Promise<unknown> = Promise.resolve();

  constructor(file: string) {
    this.file = file;
  }

  /** The entry of `server` if it was saved for `url` (another URL's tokens are not returned). */
  async get(server: string, url: string): Promise<StoredServerAuth | undefined> {
    const entry = (await this.#read()).servers[server];
    return entry && entry.url === url ? entry : undefined;
  }

  /** Changes the entry of `server` (a fresh one when it was saved for another URL). */
  update(
    server: string,
    url: string,
    change: (entry: StoredServerAuth) => StoredServerAuth,
  ): Promise<void> {
    return this.#serialized(async () => {
      const data = await this.#read();
      const current = data.servers[server];
      const base = current && current.url === url ? current : { url };
      data.servers[server] = { ...change(base), url, savedAt: new Date().toISOString() };
      await this.#write(data);
    });
  }

  /** Forgets `server`; says whether there was anything to forget. */
  delete(server: string): Promise<boolean> {
    return this.#serialized(async () => {
      const data = await this.#read();
      if (!Object.hasOwn(data.servers, server)) return false;
      delete data.servers[server];
      await this.#write(data);
      return true;
    });
  }

  /** The servers that have an entry. */
  async servers(): Promise<string[]> {
    return Object.keys((await this.#read()).servers);
  }

  #serialized<T>(work: () => Promise<T>): Promise<T> {
    const next = this.#queue.then(work, work);
    this.#queue = next.catch(() => {});
    return next;
  }

  async #read(): Promise<StoreFile> {
    let text: string;
    try {
      text = await readFile(this.file, 'utf8');
    } catch (error) {
      if ((error as { code?: unknown }).code === 'ENOENT') return empty();
      throw error;
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new Error(
        `${this.file} is not valid JSON: delete it (every server then needs \`salvo mcp login\` again)`,
      );
    }
    const servers = (parsed as { servers?: unknown } | null)?.servers;
    if (typeof servers !== 'object' || servers === null || Array.isArray(servers)) return empty();
    const valid: Record<string, StoredServerAuth> = Object.create(null);
    for (const [name, entry] of Object.entries(servers)) {
      if (typeof entry === 'object' && entry !== null && typeof entry.url === 'string') {
        valid[name] = entry as StoredServerAuth;
      }
    }
    return { version: 1, servers: valid };
  }

  async #write(data: StoreFile): Promise<void> {
    await mkdir(dirname(this.file), { recursive: true, mode: 0o700 });
    const temporary = `${this.file}.${randomBytes(6).toString('hex')}.tmp`;
    try {
      await writeFile(temporary, `${JSON.stringify(data, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
      // The mode of `writeFile` is masked by the umask; the file must be 0600 whatever it is.
      await chmod(temporary, 0o600);
      await rename(temporary, this.file);
    } catch (error) {
      await unlink(temporary).catch(() => {});
      throw error;
    }
  }
}

function empty(): StoreFile {
  return { version: 1, servers: Object.create(null) };
}
