import { parseOptions, pathOption } from './parse-options.js';
import { CliUsageError } from './usage-error.js';

/** `hostgrid agent --help`. */
export const AGENT_USAGE = `Usage: hostgrid agent --connect <ws(s)://controller:port> --host <name> --slots <n>
                      [--token-file <file>] [--ca <file>] [--retry-for <sec>]

Runs a host agent for a grid on @hostgrid/transport-ws (the one in @hostgrid/worker,
hostgrid-worker --connect, in this process): it dials in to the controller as host
<name> offering <n> slots, proves it holds the grid's token, and starts a slot worker
whenever the controller asks for one; it keeps dialling while the controller is away.

  --connect <url>     the controller's WebSocket endpoint (ws:// or wss://)
  --host <name>       this host's name in the grid
  --slots <n>         how many slots (worker processes) this host offers
  --token-file <f>    the grid's token: the first line of this file; without it the
                      token comes from the HOSTGRID_TOKEN environment variable. The
                      token is never taken on the command line (ps shows it to everyone)
  --ca <file>         PEM file of the CA that signed the controller's certificate (wss://)
  --retry-for <sec>   keep trying to (re)connect for this long, then exit 6 (default 300)
  -h, --help          show this help

Stops on SIGINT or SIGTERM (its slot workers are killed). Exit codes: 0 stopped,
2 bad command line or no token, 6 no connection within --retry-for, 7 refused by the
controller (wrong token, other protocol version, untrusted certificate).
`;

const OPTIONS = {
  connect: { type: 'string' },
  host: { type: 'string' },
  slots: { type: 'string' },
  'token-file': { type: 'string' },
  ca: { type: 'string' },
  'retry-for': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** What `hostgrid agent` hands to the worker's agent: `hostgrid-worker` arguments. */
export type AgentCommand = { readonly help: true } | { readonly help: false; readonly workerArgs: readonly string[] };

/**
 * Reads `hostgrid agent`'s arguments (after `agent`) and turns them into the arguments of
 * `hostgrid-worker --connect`, which checks their values. Refused here: `--token` (the
 * token would be on the command line, where every user sees it), the options an agent
 * passes only to its own slot workers, a missing `--connect`, `--host` or `--slots`, and
 * no token at all.
 *
 * @param env - where `HOSTGRID_TOKEN` is looked for
 * @throws {@link CliUsageError} naming the option, never its value
 */
export function parseAgentArgs(args: readonly string[], env: NodeJS.ProcessEnv = process.env): AgentCommand {
  if (args.some((arg) => arg === '--token' || arg.startsWith('--token='))) {
    throw new CliUsageError('agent: --token is not taken (every user of the machine could read it with ps): put the token in a file (--token-file FILE) or in HOSTGRID_TOKEN');
  }
  const { values } = parseOptions('agent', args, OPTIONS, false);
  if (values.help === true) return { help: true };
  for (const option of ['connect', 'host', 'slots'] as const) {
    if (values[option] === undefined) throw new CliUsageError(`agent: --${option} is needed (see hostgrid agent --help)`);
  }
  const tokenFile = pathOption('agent', 'token-file', values['token-file']);
  const ca = pathOption('agent', 'ca', values.ca);
  if (tokenFile === undefined && (env['HOSTGRID_TOKEN'] ?? '') === '') {
    throw new CliUsageError('agent: no token: give --token-file FILE (its first line is the token) or set HOSTGRID_TOKEN');
  }
  return {
    help: false,
    workerArgs: [
      '--connect',
      values.connect!,
      '--host',
      values.host!,
      '--slots',
      values.slots!,
      ...(tokenFile === undefined ? [] : ['--token-file', tokenFile]),
      ...(ca === undefined ? [] : ['--ca', ca]),
      ...(values['retry-for'] === undefined ? [] : ['--retry-for', values['retry-for']]),
    ],
  };
}
