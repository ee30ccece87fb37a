import { HostgridError } from '@hostgrid/core';

/** The steps of a host check, in the order they run; each needs the ones before it. */
export const CHECK_STEPS = ['reach', 'host key', 'login', 'node', 'sftp', 'temp path', 'worker'] as const;

/** One of {@link CHECK_STEPS}. */
export type CheckStep = (typeof CHECK_STEPS)[number];

/**
 * A step of a host check failed: `problem` says what was found, `fix` what to do about it.
 * Neither ever holds a secret (key contents, a passphrase, a token): only paths, names,
 * addresses, fingerprints and the remote side's own words.
 */
export class HostCheckError extends HostgridError {
  override readonly name = 'HostCheckError';
  /** The step that failed. */
  readonly step: CheckStep;
  /** What was found, in a few words. */
  readonly problem: string;
  /** What to do about it. */
  readonly fix: string;

  /** @param options - the host, the step, the problem and the fix (and the error underneath) */
  constructor(options: { readonly host: string; readonly step: CheckStep; readonly problem: string; readonly fix: string; readonly cause?: unknown }) {
    super({ host: options.host, message: `host "${options.host}": ${options.step}: ${options.problem}: ${options.fix}`, cause: options.cause });
    this.step = options.step;
    this.problem = options.problem;
    this.fix = options.fix;
  }
}
