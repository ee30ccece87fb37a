import { hostname } from 'node:os';

/** What {@link CheckProbe.echo} answers: the value sent, and where it ran. */
export interface ProbeAnswer {
  /** The value the call carried, sent back. */
  readonly value: string;
  /** The worker's Node.js version. */
  readonly node: string;
  /** The host's name as it knows itself. */
  readonly hostname: string;
}

/**
 * The tiny service `hostgrid check` publishes on each host to prove that a worker starts
 * and answers a real call. It imports nothing but `node:os`, so staging it is one file.
 */
export class CheckProbe {
  /** Sends `value` back, with the worker's Node.js version and host name. */
  echo(value: string): ProbeAnswer {
    return { value, node: process.version, hostname: hostname() };
  }
}
