const marker = Symbol.for('salvo.McpLoginRequiredError');

/**
 * A remote server asks for OAuth and there is no token that works: a person has to log in
 * (`salvo mcp login <server>`, or the host's own flow). Thrown instead of opening a browser in
 * a run that cannot ask anyone.
 */
export class McpLoginRequiredError extends Error {
  readonly [marker] = true;
  /** The server's name in the config. */
  readonly server: string;

  constructor(server: string, hint: string, options?: { cause?: unknown }) {
    super(`needs login: ${hint}`, options);
    this.name = 'McpLoginRequiredError';
    this.server = server;
  }

  static isInstance(error: unknown): error is McpLoginRequiredError {
    return typeof error === 'object' && error !== null && marker in error;
  }
}
