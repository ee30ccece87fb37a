import type { HostReport } from './check-host.js';

/** Column widths, so that the lines of one run line up. */
export interface ReportLayout {
  readonly name: number;
  readonly where: number;
}

/** The widths that fit every host of a run. */
export function reportLayout(hosts: ReadonlyArray<{ readonly name: string; readonly where: string }>): ReportLayout {
  return { name: Math.max(0, ...hosts.map((host) => host.name.length)), where: Math.max(0, ...hosts.map((host) => host.where.length)) };
}

/**
 * One host's line: `ok` or `FAIL`, the name, `user@address:port`, the steps that passed,
 * then (on failure) `; <step>: <what was found>: <what to do>`.
 *
 * @example
 * ```text
 * ok    h1  root@10.0.0.11:22  reachable, host key known, login accepted, node v20.19.0, sftp, /tmp writable, worker answered
 * FAIL  h2  root@10.0.0.12:22  reachable; host key: host key of 10.0.0.12 (ssh-ed25519 SHA256:…) is not in /home/me/.ssh/known_hosts: after checking …
 * ```
 */
export function formatHostLine(report: HostReport, layout: ReportLayout): string {
  const head = `${report.failure === undefined ? 'ok  ' : 'FAIL'}  ${report.name.padEnd(layout.name)}  ${report.where.padEnd(layout.where)}  `;
  const passed = report.passed.join(', ');
  if (report.failure === undefined) return `${head}${passed}`;
  const { step, problem, fix } = report.failure;
  return `${head}${passed}${passed === '' ? '' : '; '}${step}: ${problem}: ${fix}`;
}

/** The last line: how many hosts passed, and which failed at which step. */
export function formatSummary(reports: readonly HostReport[]): string {
  const failed = reports.filter((report) => report.failure !== undefined);
  const count = `${reports.length} host${reports.length === 1 ? '' : 's'} checked`;
  if (failed.length === 0) return `${count}: all passed`;
  return `${count}: ${failed.length} failed (${failed.map((report) => `${report.name}: ${report.failure!.step}`).join(', ')})`;
}
