import type { SFTPWrapper } from 'ssh2';
import type { KnownHostsEntry } from '@hostgrid/transport-ssh';
import type { CheckOptions } from './check-args.js';
import { HostCheckError, type CheckStep } from './check-failure.js';
import type { HostTarget } from './host-target.js';
import { checkNode } from './node-check.js';
import { reach } from './reach.js';
import { openSshSession, type SshSession } from './ssh-session.js';
import { checkTempPath, removeEmptyDirs } from './temp-path-check.js';
import { plainMessage } from './usage-error.js';
import { checkWorker } from './worker-check.js';
import { within } from './within.js';

/** What every host's check shares: the options, the key and the known_hosts entries, each read once. */
export interface CheckContext {
  readonly options: CheckOptions;
  /** The private key's contents (never printed) and its file (named in messages). */
  readonly key?: { readonly contents: Buffer; readonly file: string };
  /** The known_hosts file's entries (none when it does not exist). */
  readonly knownHosts: readonly KnownHostsEntry[];
}

/** The outcome of one host's check. */
export interface HostReport {
  /** The host's name. */
  readonly name: string;
  /** `user@address:port`, as the check logged in. */
  readonly where: string;
  /** The steps that passed, in order, as shown (`reachable`, `host key known`, `node v20.19.0`, …). */
  readonly passed: readonly string[];
  /** The step that failed, what was found and what to do; absent when every step passed. */
  readonly failure?: HostCheckError;
}

/** `user@address:port` of a host, as its check logs in (an IPv6 address in brackets). */
export function hostWhere(target: HostTarget, options: Pick<CheckOptions, 'user' | 'port'>): string {
  return `${target.user ?? options.user}@${target.address.includes(':') ? `[${target.address}]` : target.address}:${target.port ?? options.port}`;
}

/**
 * Checks one host, step after step, stopping at the first that fails: reachable (TCP,
 * `connectTimeoutMs`), host key known (never recorded), login accepted, `node` found and
 * at least 20.19, SFTP, temp path writable, and a real worker answering a call. Every
 * step is bounded in time, so a host that stops answering fails instead of holding the check.
 *
 * @returns the report; it never throws
 */
export async function checkHost(target: HostTarget, context: CheckContext): Promise<HostReport> {
  const { options } = context;
  const user = target.user ?? options.user;
  const port = target.port ?? options.port;
  const name = target.name;
  const where = hostWhere(target, options);
  const passed: string[] = [];
  let step: CheckStep = 'reach';
  let session: SshSession | undefined;
  const limit = <T>(work: Promise<T>): Promise<T> =>
    within(options.stepTimeoutMs, work, () => new HostCheckError({ host: name, step, problem: `no answer within ${options.stepTimeoutMs / 1000} s`, fix: 'the host is slow or stuck: try again, or wait longer (--timeout)' }));
  try {
    const socket = await reach({ name, address: target.address, port, timeoutMs: options.connectTimeoutMs });
    passed.push('reachable');
    step = 'host key';
    session = await openSshSession(
      socket,
      {
        name,
        address: target.address,
        port,
        user,
        ...(context.key === undefined ? {} : { key: context.key }),
        ...(options.agent === undefined ? {} : { agent: options.agent }),
        knownHosts: { file: options.knownHosts, entries: context.knownHosts },
        timeoutMs: options.connectTimeoutMs,
      },
      (label) => {
        passed.push(label);
        step = 'login';
      },
    );
    step = 'node';
    const node = await limit(checkNode(session, name, options.node));
    passed.push(`node ${node.version.text}`);
    step = 'sftp';
    let sftp: SFTPWrapper;
    try {
      sftp = await limit(session.sftp());
    } catch (error) {
      if (error instanceof HostCheckError) throw error;
      throw new HostCheckError({
        host: name,
        step,
        problem: `the SFTP subsystem was refused: ${plainMessage(error)}`,
        fix: "the grid stages files over SFTP: enable it in the host's sshd_config (Subsystem sftp internal-sftp)",
        cause: error,
      });
    }
    passed.push('sftp');
    step = 'temp path';
    const temp = await limit(checkTempPath(sftp, name, user, options.tempPath));
    passed.push(`${temp.root} writable`);
    step = 'worker';
    const worker = await checkWorker({
      name,
      address: target.address,
      port,
      user,
      ...(context.key === undefined ? {} : { privateKey: context.key.contents }),
      ...(options.agent === undefined ? {} : { agent: options.agent }),
      knownHosts: options.knownHosts,
      slots: options.slots,
      node: node.path,
      ...(options.tempPath === undefined ? {} : { tempPath: options.tempPath }),
      connectTimeoutMs: options.connectTimeoutMs,
      timeoutMs: options.stepTimeoutMs,
    });
    passed.push(worker.answered === 1 ? 'worker answered' : `${worker.answered} workers answered`);
    // The grid removed the temp path it made, not the folders above it that were missing too.
    await limit(removeEmptyDirs(sftp, temp.missing)).catch(() => undefined);
    return { name, where, passed };
  } catch (error) {
    const failure =
      error instanceof HostCheckError
        ? error
        : new HostCheckError({ host: name, step, problem: plainMessage(error), fix: 'try the same by hand with ssh -v to see more', cause: error });
    return { name, where, passed, failure };
  } finally {
    session?.end();
  }
}
