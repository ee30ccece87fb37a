import { HostgridError, type HostgridErrorOptions } from '@hostgrid/core';

/** A `PE_HOSTFILE` line could not be read. `line` is its number (from 1) and `text` the line itself. */
export class PeHostfileError extends HostgridError {
  override readonly name = 'PeHostfileError';
  /** The line's number, from 1. */
  readonly line: number;
  /** The line as it was. */
  readonly text: string;

  constructor(options: HostgridErrorOptions & { readonly line: number; readonly text: string }) {
    super(options);
    this.line = options.line;
    this.text = options.text;
  }
}

/**
 * This process is not where SGE lets it start tasks: outside a parallel job (no
 * `PE_HOSTFILE`, no `JOB_ID`), a host the job was not granted, or `qrsh -inherit` refused
 * the task (no free slot on the host, a parallel environment without `control_slaves`).
 */
export class SgeJobError extends HostgridError {
  override readonly name = 'SgeJobError';
}
