import { HostgridError, type HostgridErrorOptions } from '@hostgrid/core';

/** Hosts the grid waits for did not join within `joinTimeoutMs`. Names every one of them. */
export class JoinTimeoutError extends HostgridError {
  override readonly name = 'JoinTimeoutError';
  /** Every host that was awaited and never joined. */
  readonly missing: readonly string[];
  constructor(options: HostgridErrorOptions & { readonly missing: readonly string[] }) {
    super(options);
    this.missing = options.missing;
  }
}
