import { HostgridError, type HostgridErrorOptions } from '@hostgrid/core';

/** A host's key is not known, has changed, or is revoked: the connection was refused before logging in. */
export class HostKeyError extends HostgridError {
  override readonly name = 'HostKeyError';
  /** `unknown`, `mismatch` or `revoked`. */
  readonly verdict: 'unknown' | 'mismatch' | 'revoked';
  constructor(options: HostgridErrorOptions & { readonly verdict: 'unknown' | 'mismatch' | 'revoked' }) {
    super(options);
    this.verdict = options.verdict;
  }
}

/** The host refused to log the user in (wrong key, unknown user, no agent). */
export class SshAuthError extends HostgridError {
  override readonly name = 'SshAuthError';
}
