/**
 * One host's sshd: its keys, its config, and the process itself, started inside the
 * host's network namespace with a UTS namespace of its own (so `hostname` answers the
 * host's name) and tracked by pid.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { TestbedError } from './errors.js';
import type { SshInfrastructure } from './infrastructure.js';
import { runOk, tcpAnswers } from './system.js';

/** An OpenSSH public key: its type and the base64 blob (what ssh2's `hostVerifier` sees, decoded). */
export interface PublicKey {
  readonly type: string;
  readonly base64: string;
  /** `SHA256:…`, as `ssh-keygen -l` prints it. */
  readonly fingerprint: string;
}

/** Makes an ed25519 key pair without a passphrase at `path` and `path.pub`. */
export async function generateKey(infra: SshInfrastructure, path: string, comment: string): Promise<PublicKey> {
  await runOk(`generating key ${path}`, infra.sshKeygen, ['-q', '-t', 'ed25519', '-N', '', '-C', comment, '-f', path]);
  const [type, base64] = (await readFile(`${path}.pub`, 'utf8')).trim().split(/\s+/);
  if (!type || !base64) throw new TestbedError(`[testbed] ssh-keygen wrote an unreadable ${path}.pub`);
  const digest = createHash('sha256').update(Buffer.from(base64, 'base64')).digest('base64');
  return { type, base64, fingerprint: `SHA256:${digest.replace(/=+$/, '')}` };
}

/** What differs between the hosts' sshd configs. */
export interface SshdConfigInput {
  readonly host: string;
  readonly namespace: string;
  readonly address: string;
  readonly hostKeyPath: string;
  readonly authorizedKeysPath: string;
  readonly pidFile: string;
  readonly infra: SshInfrastructure;
  /** Extra or replaced keywords, e.g. `{ ClientAliveInterval: '5' }`. */
  readonly overrides: Readonly<Record<string, string>>;
}

/**
 * The sshd config of one host. sshd takes the first value of most keywords, so an
 * override replaces the default line rather than adding a second one. There is no
 * `AcceptEnv` (no client environment crosses) and no `UseDNS` (its default, no).
 */
export function sshdConfig(input: SshdConfigInput): string {
  const [major, minor] = input.infra.sshdVersion;
  const entries = new Map<string, [keyword: string, value: string]>();
  const set = (keyword: string, value: string): void => {
    entries.set(keyword.toLowerCase(), [entries.get(keyword.toLowerCase())?.[0] ?? keyword, value]);
  };
  set('ListenAddress', `${input.address}:22`);
  set('HostKey', input.hostKeyPath);
  set('AuthorizedKeysFile', input.authorizedKeysPath);
  set('PidFile', input.pidFile);
  set('PubkeyAuthentication', 'yes');
  set('PasswordAuthentication', 'no');
  set('KbdInteractiveAuthentication', 'no');
  set('PermitRootLogin', 'prohibit-password');
  // sshd without PAM refuses an account whose password is locked with '!'.
  set('UsePAM', input.infra.usePam ? 'yes' : 'no');
  // The keys live under the temp dir, whose parent (/tmp) is mode 1777.
  set('StrictModes', 'no');
  // Tests open many connections at once; sshd's default (10:30:100) drops some.
  set('MaxStartups', '200:30:400');
  set('MaxSessions', '20');
  // The SSH transport stages files over SFTP; internal-sftp needs no helper binary.
  set('Subsystem', 'sftp internal-sftp');
  set('X11Forwarding', 'no');
  set('PrintMotd', 'no');
  set('PrintLastLog', 'no');
  set('LogLevel', 'ERROR');
  // OpenSSH 9.8+ penalises addresses whose sessions crash or fail to authenticate,
  // which tests that kill processes on purpose would trip over.
  if (major > 9 || (major === 9 && minor >= 8)) set('PerSourcePenalties', 'no');
  for (const [keyword, value] of Object.entries(input.overrides)) set(keyword, value);
  const lines = [...entries.values()].map(([keyword, value]) => `${keyword} ${value}`);
  return `# hostgrid test bed: host ${input.host}, namespace ${input.namespace}\n${lines.join('\n')}\n`;
}

/** Bytes of sshd's stderr kept for error messages. */
const STDERR_KEPT = 16_384;

/** A running (or exited) sshd, by pid. */
export class SshdProcess {
  readonly pid: number;
  readonly #child: ChildProcess;
  #stderr = '';
  #exit: string | undefined;
  readonly #exited: Promise<void>;

  private constructor(child: ChildProcess, pid: number) {
    this.#child = child;
    this.pid = pid;
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
      this.#stderr = (this.#stderr + chunk).slice(-STDERR_KEPT);
    });
    this.#exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        this.#exit = signal ? `signal ${signal}` : `code ${code}`;
        resolve();
      });
    });
    // A test bed someone forgot to dispose must not keep the process alive; the exit
    // hook tears it down instead.
    child.unref();
    (child.stderr as Socket | null)?.unref();
  }

  /**
   * Starts `/usr/sbin/sshd -D -e -f <config>` as
   * `unshare --uts ip netns exec <namespace> sh -c 'hostname <host> && exec sshd …'`.
   * Neither `unshare` (without `--fork`) nor `ip netns exec` forks, and `sh` execs, so
   * the pid spawned is sshd's own.
   */
  static async start(infra: SshInfrastructure, namespace: string, host: string, configPath: string): Promise<SshdProcess> {
    const child = spawn(
      infra.unshare,
      [
        '--uts',
        infra.ip,
        'netns',
        'exec',
        namespace,
        '/bin/sh',
        '-c',
        '"$1" "$2" && exec "$3" -D -e -f "$4"',
        'sh',
        infra.hostname,
        host,
        infra.sshd,
        configPath,
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    if (child.pid === undefined) {
      const error = await new Promise<Error>((resolve) => child.once('error', resolve));
      throw new TestbedError(`[testbed] cannot start sshd for host ${host}: ${error.message}`, { cause: error });
    }
    return new SshdProcess(child, child.pid);
  }

  /** Whether sshd still runs (its exit has not been seen). */
  get running(): boolean {
    return this.#exit === undefined;
  }

  /** What sshd wrote to stderr (the last 16 KiB). */
  get stderr(): string {
    return this.#stderr;
  }

  /**
   * Waits until a TCP connection to `address:22` opens from the root namespace.
   *
   * @throws TestbedError when sshd exits first or `timeoutMs` passes; the message quotes
   *   sshd's stderr.
   */
  async waitReady(host: string, address: string, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (this.#exit !== undefined) {
        throw new TestbedError(
          `[testbed] sshd of host ${host} (${address}, pid ${this.pid}) exited with ${this.#exit} before it answered: ` +
            (this.#stderr.trim() || '(nothing on stderr)'),
        );
      }
      if (await tcpAnswers(address, 22, 250)) return;
      if (Date.now() > deadline) {
        throw new TestbedError(
          `[testbed] sshd of host ${host} (${address}, pid ${this.pid}) did not answer on port 22 within ${timeoutMs} ms; ` +
            `its stderr: ${this.#stderr.trim() || '(empty)'}`,
        );
      }
      await sleep(15);
    }
  }

  /** Resolves once sshd has exited; `false` if it still runs after `timeoutMs`. */
  async waitExit(timeoutMs: number): Promise<boolean> {
    if (this.#exit !== undefined) return true;
    const timer = sleep(timeoutMs, false, { ref: false });
    return Promise.race([this.#exited.then(() => true), timer]);
  }

  /** Sends SIGKILL (teardown kills by namespace; this is for a sshd that left it). */
  kill(): void {
    if (this.running) this.#child.kill('SIGKILL');
  }
}
