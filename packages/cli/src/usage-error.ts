import { HostgridError } from '@hostgrid/core';

/**
 * A command line `hostgrid` cannot use: an unknown option, a missing or bad value, a
 * malformed host. The message is one line for people and names the option or the host,
 * never an option's value where it could be a secret.
 */
export class CliUsageError extends HostgridError {
  override readonly name = 'CliUsageError';

  /** @param message - what is wrong, naming the option or host */
  constructor(message: string) {
    super({ message });
  }
}

/** An error's message without the `[hostgrid] ` prefix every `HostgridError` carries, for one-line output. */
export function plainMessage(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.replace(/^\[hostgrid\] /, '');
}
