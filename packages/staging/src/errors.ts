/** Options of a {@link StagingInputError}. */
export interface StagingInputErrorOptions {
  /** What went wrong, for people. `[hostgrid] ` is put in front when missing. */
  readonly message: string;
  /**
   * The path the error concerns, when there is one: a root folder (absolute), or a
   * file, link or folder relative to the root, or the path a check refused.
   */
  readonly path?: string;
  /** The pattern the error concerns, when there is one. */
  readonly pattern?: string;
  /** The error underneath, if any. */
  readonly cause?: unknown;
}

/**
 * Input that staging refuses: a missing or non-folder root, a pattern that is empty,
 * absolute, holds a `..` segment or a NUL, a link that leads out of the root, a path
 * that would escape a host's temp path. Thrown before anything is read or written.
 *
 * Test `err.name === 'StagingInputError'` rather than `instanceof`: the name survives
 * duplicated package copies; a class does not.
 *
 * @example
 * ```ts
 * await expect(selectFiles(root, ['../x'])).rejects.toMatchObject({ name: 'StagingInputError', pattern: '../x' });
 * ```
 */
export class StagingInputError extends Error {
  override readonly name = 'StagingInputError';
  /** The path the error concerns, when there is one (see {@link StagingInputErrorOptions.path}). */
  readonly path: string | undefined;
  /** The pattern the error concerns, when there is one. */
  readonly pattern: string | undefined;

  constructor(options: StagingInputErrorOptions) {
    const { message } = options;
    super(message.startsWith('[hostgrid]') ? message : `[hostgrid] ${message}`, { cause: options.cause });
    this.path = options.path;
    this.pattern = options.pattern;
  }
}
