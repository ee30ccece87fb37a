import type { SessionEnd } from './session.js';

/**
 * Exit codes of the `hostgrid-worker` process, so that a transport can tell the
 * controller why a worker left.
 */
export const WorkerExitCode = {
  /** The controller asked for a shutdown, or the channel to it ended. */
  Ok: 0,
  /** User code threw where nobody could catch it; the worker's state may be corrupt. */
  UncaughtException: 1,
  /** Bad command line, or the `--fd` descriptor could not be opened. */
  Usage: 2,
  /** Nothing was heard from the controller for the watchdog's time. */
  Watchdog: 3,
  /** The controller sent bytes that are not a valid frame or message. */
  Protocol: 4,
  /** The controller speaks another protocol version. */
  Version: 5,
  /** `--connect`: the controller could not be reached (again) within `--retry-for`. */
  Unreachable: 6,
  /** `--connect`: the controller refused this peer (wrong token, other version), or its certificate is not trusted. */
  Refused: 7,
} as const;

/** The exit code for a session that ended this way. */
export function exitCodeFor(end: SessionEnd): number {
  switch (end.reason) {
    case 'shutdown':
    case 'disconnected':
      return WorkerExitCode.Ok;
    case 'watchdog':
      return WorkerExitCode.Watchdog;
    case 'protocol':
      return WorkerExitCode.Protocol;
    case 'version':
      return WorkerExitCode.Version;
    default:
      return end.reason satisfies never;
  }
}
