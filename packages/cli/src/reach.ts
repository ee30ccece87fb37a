import { connect, type Socket } from 'node:net';
import { HostCheckError } from './check-failure.js';

/** Where and how long to try a TCP connection. */
export interface ReachTarget {
  /** The host's name, for messages. */
  readonly name: string;
  readonly address: string;
  readonly port: number;
  /** Give up after this long, in ms. */
  readonly timeoutMs: number;
}

/**
 * Opens a TCP connection to the host's SSH port, giving up after `timeoutMs` (an address
 * that drops packets never answers, so only the timer ends the wait). Nagle is off on
 * the socket, as the SSH transport has it.
 *
 * @returns the connected socket, for the SSH handshake
 * @throws {@link HostCheckError} (step `reach`) when the connection is refused, fails or times out
 */
export function reach(target: ReachTarget): Promise<Socket> {
  const where = `${target.address}:${target.port}`;
  return new Promise((resolve, reject) => {
    const socket = connect({ host: target.address, port: target.port });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(
        new HostCheckError({
          host: target.name,
          step: 'reach',
          problem: `no answer from ${where} within ${target.timeoutMs / 1000} s`,
          fix: 'check the address, that the host is up, and that no firewall drops the port (--connect-timeout waits longer)',
        }),
      );
    }, target.timeoutMs);
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.setNoDelay(true);
      resolve(socket);
    });
    socket.once('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      socket.destroy();
      reject(new HostCheckError({ host: target.name, step: 'reach', problem: `cannot connect to ${where}: ${error.code ?? error.message}`, fix: reachFix(error.code, target.port), cause: error }));
    });
  });
}

function reachFix(code: string | undefined, port: number): string {
  switch (code) {
    case 'ECONNREFUSED':
      return `nothing listens on port ${port}: start sshd there, or give the right port (host:port or --port)`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'the name does not resolve: give the address (name=address) or fix DNS / /etc/hosts';
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return 'no route to it: check the address and that the host is up and on a network this machine reaches';
    default:
      return 'check the address and that the host is up';
  }
}
