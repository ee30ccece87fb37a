import type { Socket } from 'node:net';
import { Client, type SFTPWrapper } from 'ssh2';
import type { KnownHostsEntry } from '@hostgrid/transport-ssh';
import { HostCheckError } from './check-failure.js';
import { checkHostKey, hostKeyAlgorithms } from './host-key.js';

/** How to log in to one host. */
export interface SshLogin {
  /** The host's name, for messages. */
  readonly name: string;
  readonly address: string;
  readonly port: number;
  readonly user: string;
  /** The private key's contents (never printed) and the file it came from (named in messages). */
  readonly key?: { readonly contents: Buffer; readonly file: string };
  /** The ssh-agent socket, used when there is no key. */
  readonly agent?: string;
  /** The known_hosts file and its entries. */
  readonly knownHosts: { readonly file: string; readonly entries: readonly KnownHostsEntry[] };
  /** Limit on the handshake and the login, in ms. */
  readonly timeoutMs: number;
}

/** A logged-in SSH connection, for the checks that follow the login. */
export interface SshSession {
  /** Runs a short command through the login user's shell, its stdin closed. */
  run(command: string): Promise<{ stdout: string; stderr: string; code: number | null }>;
  /** Opens the SFTP subsystem. */
  sftp(): Promise<SFTPWrapper>;
  /** Closes the connection. */
  end(): void;
}

/**
 * Does the SSH handshake over a reached socket, checks the host key against known_hosts
 * (never writing to it) and logs in, calling `passed` as the host key and the login pass.
 *
 * @throws {@link HostCheckError}: step `host key` for an unknown, changed or revoked key or a
 *   handshake that does not finish; step `login` when the login is refused or does not finish
 */
export function openSshSession(socket: Socket, login: SshLogin, passed: (label: string) => void): Promise<SshSession> {
  const client = new Client();
  let refusal: HostCheckError | undefined;
  let keyChecked = false;
  return new Promise<SshSession>((resolve, reject) => {
    client.once('ready', () => {
      passed('login accepted');
      resolve(session(client));
    });
    // `on`, not `once`: a connection that breaks later must not throw an unhandled 'error'.
    client.on('error', (error: Error & { level?: string }) => {
      socket.destroy();
      client.end();
      if (refusal !== undefined) return reject(refusal);
      reject(keyChecked ? loginError(login, error) : handshakeError(login, error));
    });
    // A host that closes the connection before the login ends, without an SSH disconnect,
    // gets neither 'ready' nor 'error' from ssh2: without this the check would never end
    // (and the process would exit 0 with nothing printed). After 'ready' it is a no-op.
    client.once('close', () => {
      if (refusal !== undefined) return reject(refusal);
      const closed = Object.assign(new Error('the connection closed before the login finished'), { level: 'client-socket' });
      reject(keyChecked ? loginError(login, closed) : handshakeError(login, closed));
    });
    const algorithms = hostKeyAlgorithms(login.knownHosts.entries, login.address, login.port);
    client.connect({
      sock: socket,
      ...(algorithms.length > 0 ? { algorithms: { serverHostKey: algorithms as never } } : {}),
      username: login.user,
      ...(login.key === undefined ? {} : { privateKey: login.key.contents }),
      ...(login.key === undefined && login.agent !== undefined ? { agent: login.agent } : {}),
      hostVerifier: (key: Buffer, verify: (valid: boolean) => void) => {
        try {
          checkHostKey(login.knownHosts.entries, key, { name: login.name, address: login.address, port: login.port, file: login.knownHosts.file });
        } catch (error) {
          refusal = error as HostCheckError;
          return verify(false);
        }
        keyChecked = true;
        passed('host key known');
        verify(true);
      },
      readyTimeout: login.timeoutMs,
    });
  });
}

function session(client: Client): SshSession {
  return {
    run: (command) =>
      new Promise((resolve, reject) => {
        client.exec(command, (error, channel) => {
          if (error) return reject(error);
          channel.end();
          let stdout = '';
          let stderr = '';
          channel.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
          channel.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
          channel.once('close', (code: number | null) => resolve({ stdout, stderr, code }));
        });
      }),
    sftp: () => new Promise((resolve, reject) => client.sftp((error, sftp) => (error ? reject(error) : resolve(sftp)))),
    end: () => client.end(),
  };
}

function handshakeError(login: SshLogin, error: Error & { level?: string }): HostCheckError {
  const where = `${login.address}:${login.port}`;
  const timedOut = error.level === 'client-timeout';
  return new HostCheckError({
    host: login.name,
    step: 'host key',
    problem: timedOut ? `no SSH handshake from ${where} within ${login.timeoutMs / 1000} s` : `the SSH handshake with ${where} failed: ${error.message}`,
    fix: timedOut ? 'check that sshd answers on that port (ssh -v), or wait longer (--connect-timeout)' : 'check that sshd answers on that port (ssh -v) and offers a host key type ssh2 supports',
    cause: error,
  });
}

function loginError(login: SshLogin, error: Error & { level?: string }): HostCheckError {
  const who = `${login.user}@${login.address}`;
  if (error.level === 'client-timeout') {
    return new HostCheckError({ host: login.name, step: 'login', problem: `the login of ${who} did not finish within ${login.timeoutMs / 1000} s`, fix: 'try ssh by hand, or wait longer (--connect-timeout)', cause: error });
  }
  if (error.level !== 'client-authentication') {
    return new HostCheckError({ host: login.name, step: 'login', problem: `the connection failed while logging in ${who}: ${error.message}`, fix: 'try ssh by hand (ssh -v)', cause: error });
  }
  const authorized = `~${login.user}/.ssh/authorized_keys on the host`;
  let fix: string;
  if (login.key !== undefined) fix = `check that ${login.key.file}.pub is in ${authorized}, and the user (user@host or --user)`;
  else if (login.agent !== undefined) fix = `check that the ssh-agent holds a key (ssh-add -l) listed in ${authorized}, or give --key FILE`;
  else fix = 'no --key was given and no ssh-agent runs (SSH_AUTH_SOCK is not set): give --key FILE';
  return new HostCheckError({ host: login.name, step: 'login', problem: `${who} was refused: ${error.message}`, fix, cause: error });
}
