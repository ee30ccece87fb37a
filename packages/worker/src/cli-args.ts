import { CONNECT_OPTIONS, CONNECT_SYNOPSIS, parseConnectArgs, type ConnectCommand } from './connect-args.js';

/** What the command line asks `hostgrid-worker` to do. */
export type CliCommand =
  | { readonly kind: 'fd'; readonly fd: number }
  | ConnectCommand
  | { readonly kind: 'stdio' }
  | { readonly kind: 'help' }
  | { readonly kind: 'error'; readonly message: string };

/** `hostgrid-worker --help`. */
export const USAGE = `Usage: hostgrid-worker --fd <n>
       hostgrid-worker --stdio
${CONNECT_SYNOPSIS}
Runs one Hostgrid worker slot: answers the controller's frames (4-byte big-endian
length prefix, MessagePack bodies) until it is shut down or the channel ends.

  --fd <n>   frames over inherited file descriptor <n>, a duplex socket (e.g. fd 3 of
             spawn(node, [worker, '--fd', '3'], { stdio: ['ignore', 'pipe', 'pipe', 'pipe'] }))
  --stdio    frames over stdin/stdout; anything user code writes to stdout goes to stderr
${CONNECT_OPTIONS}  --help     print this help

Exit codes: 0 shut down or channel ended, 1 uncaught exception in user code,
2 bad usage, 3 watchdog (controller silent), 4 protocol error, 5 protocol version mismatch,
6 (--connect) could not reach the controller within --retry-for, 7 (--connect) refused by
the controller (wrong token, other protocol version, untrusted certificate).
`;

/** Reads `hostgrid-worker`'s arguments (without `node` and the script). Never throws. */
export function parseCliArgs(args: readonly string[]): CliCommand {
  if (args.includes('--help') || args.includes('-h')) return { kind: 'help' };
  if (args.some((arg) => arg === '--connect' || arg.startsWith('--connect='))) return parseConnectArgs(args);
  let command: CliCommand | undefined;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    let next: CliCommand;
    if (arg === '--help' || arg === '-h') {
      return { kind: 'help' };
    } else if (arg === '--stdio') {
      next = { kind: 'stdio' };
    } else if (arg === '--fd' || arg.startsWith('--fd=')) {
      const value = arg === '--fd' ? args[++i] : arg.slice('--fd='.length);
      if (value === undefined || !/^\d+$/.test(value)) return { kind: 'error', message: '--fd needs a file descriptor number' };
      next = { kind: 'fd', fd: Number(value) };
    } else {
      return { kind: 'error', message: `unknown argument ${JSON.stringify(arg)}` };
    }
    if (command !== undefined) return { kind: 'error', message: 'give one of --fd <n>, --stdio and --connect <url>, once' };
    command = next;
  }
  return command ?? { kind: 'error', message: 'give --fd <n>, --stdio or --connect <url>' };
}
