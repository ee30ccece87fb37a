/**
 * The `hostgrid` command as a library: the host checks `hostgrid check` runs, and the
 * parsers of its command lines. Most users run the bin instead:
 *
 * @example
 * ```sh
 * npx @hostgrid/cli check root@h1=10.0.0.11 root@h2=10.0.0.12 --key ~/.ssh/id_ed25519
 * npx @hostgrid/cli agent --connect wss://controller:7000 --host gpu1 --slots 8 --token-file /run/secrets/hostgrid
 * ```
 *
 * @example
 * ```ts
 * import { parseCheckArgs, loadCheckOptions, runCheck } from '@hostgrid/cli';
 *
 * const parsed = parseCheckArgs(['h1=10.0.0.11', '--key', '/home/me/.ssh/id_ed25519']);
 * if (!parsed.help) {
 *   const reports = await runCheck(await loadCheckOptions(parsed), console.log);
 *   const failed = reports.filter((report) => report.failure !== undefined);
 * }
 * ```
 *
 * @packageDocumentation
 */
export { runCheck } from './check.js';
export { checkHost, hostWhere, type CheckContext, type HostReport } from './check-host.js';
export { formatHostLine, formatSummary, reportLayout, type ReportLayout } from './check-report.js';
export {
  parseCheckArgs,
  loadCheckOptions,
  CHECK_USAGE,
  DEFAULT_CONNECT_TIMEOUT_S,
  DEFAULT_STEP_TIMEOUT_S,
  type CheckCommand,
  type CheckOptions,
} from './check-args.js';
export { HostCheckError, CHECK_STEPS, type CheckStep } from './check-failure.js';
export { parseHostTarget, parseHostsFile, checkHostList, HOST_SYNTAX, type HostTarget } from './host-target.js';
export { MIN_NODE, parseNodeVersion, isNewEnough, type NodeVersion } from './node-version.js';
export { fingerprint } from './host-key.js';
export { parseAgentArgs, AGENT_USAGE, type AgentCommand } from './agent-args.js';
export { runAgent, workerBundle } from './agent.js';
export { CliUsageError } from './usage-error.js';
