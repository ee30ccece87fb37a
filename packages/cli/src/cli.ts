#!/usr/bin/env node
/**
 * The `hostgrid` command: `hostgrid check` checks hosts over SSH, `hostgrid agent` runs
 * the WebSocket host agent. Each command loads only what it needs (`agent` never loads
 * ssh2, `check` never loads the agent).
 */
import { createRequire } from 'node:module';
import { CliUsageError, plainMessage } from './usage-error.js';

/** `hostgrid --help`. */
const USAGE = `Usage: hostgrid <command> [options]

Commands:
  check <host>...       check that hosts can run a Hostgrid over SSH: one line per host
                        (reachable, host key, login, node, SFTP, temp path, a worker's call)
  agent --connect <url> run the WebSocket host agent on this host (@hostgrid/transport-ws)

  hostgrid <command> --help   the command's options
  hostgrid --version          this package's version

Exit codes: 0 done, 1 a check failed or the command failed, 2 bad command line
(agent: the worker's own codes, see hostgrid agent --help).
`;

function out(line: string): void {
  process.stdout.write(`${line}\n`);
}

async function main(args: readonly string[]): Promise<number> {
  const [command, ...rest] = args;
  switch (command) {
    case undefined:
    case 'help':
    case '-h':
    case '--help': {
      const topic = rest[0];
      if (topic === 'check' || topic === 'agent') return main([topic, '--help']);
      process.stdout.write(USAGE);
      return command === undefined ? 2 : 0;
    }
    case '--version':
    case '-v':
      out((createRequire(import.meta.url)('../package.json') as { version: string }).version);
      return 0;
    case 'check': {
      const { CHECK_USAGE, loadCheckOptions, parseCheckArgs } = await import('./check-args.js');
      const parsed = parseCheckArgs(rest);
      if (parsed.help) {
        process.stdout.write(CHECK_USAGE);
        return 0;
      }
      const options = await loadCheckOptions(parsed);
      const { runCheck } = await import('./check.js');
      const reports = await runCheck(options, out);
      return reports.every((report) => report.failure === undefined) ? 0 : 1;
    }
    case 'agent': {
      const { AGENT_USAGE, parseAgentArgs } = await import('./agent-args.js');
      const parsed = parseAgentArgs(rest);
      if (parsed.help) {
        process.stdout.write(AGENT_USAGE);
        return 0;
      }
      const { runAgent } = await import('./agent.js');
      await runAgent(parsed.workerArgs);
      // The agent runs on and ends the process itself.
      return -1;
    }
    default: {
      // Only the name: `hostgrid --token-file=…` must not echo what follows the `=`.
      const name = command.split('=')[0]!;
      throw new CliUsageError(`unknown command ${JSON.stringify(name)}: give check or agent (see hostgrid --help)`);
    }
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    // The checks' connections are closed or destroyed by now; exiting also ends any grid's signal watch.
    if (code >= 0) process.exit(code);
  },
  (error: unknown) => {
    const usage = error instanceof CliUsageError;
    process.stderr.write(`hostgrid: ${usage ? plainMessage(error) : `${(error as Error).name}: ${plainMessage(error)}`}\n`);
    process.exit(usage ? 2 : 1);
  },
);
