import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { runCli } from './fixtures/cli-process.js';
import { scratch } from './fixtures/scratch.js';

/** A server on 127.0.0.1 that says an SSH banner, then closes the connection without an SSH disconnect. */
async function closingServer(): Promise<{ port: number } & AsyncDisposable> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.write('SSH-2.0-OpenSSH_9.2\r\n');
    socket.once('data', () => socket.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    [Symbol.asyncDispose]: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

describe('hostgrid check against a host that closes the connection during the handshake', () => {
  it('fails that host with its line and the summary, and exits 1 (never 0 with nothing printed)', async () => {
    await using dir = await scratch();
    await using host = await closingServer();
    const key = join(dir.path, 'id_ed25519');
    await promisify(execFile)('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', key]);
    const knownHosts = join(dir.path, 'known_hosts');
    await writeFile(knownHosts, '');
    const run = await runCli(['check', `root@closer=127.0.0.1:${host.port}`, '--key', key, '--known-hosts', knownHosts, '--connect-timeout', '10']);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/^FAIL +closer .*the connection closed before the login finished/m);
    expect(run.stdout).toMatch(/1 host checked: 1 failed \(closer: host key\)/);
  });
});
