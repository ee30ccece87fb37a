/**
 * Why a project was not scaffolded. Its own base class rather than `HostgridError`:
 * `create-hostgrid` depends on none of the Hostgrid packages at run time (it only
 * writes files). Test `err.name`.
 */
export class ScaffoldError extends Error {
  override readonly name = 'ScaffoldError';
  /** The folder the project was to be written to. */
  readonly path: string;

  constructor(options: { readonly message: string; readonly path: string; readonly cause?: unknown }) {
    super(`[create-hostgrid] ${options.message}`, { cause: options.cause });
    this.path = options.path;
  }
}
