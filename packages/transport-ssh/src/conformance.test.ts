import { readFileSync } from 'node:fs';
import { afterAll } from 'vitest';
import type { Transport } from '@hostgrid/core';
import { describeStagingConformance, describeTransportConformance, type ConformanceOptions } from '@hostgrid/core/testing';
import { startSshHosts } from '@hostgrid/testbed';
import { sshTransport } from './ssh-transport.js';

// Real sshd servers, each in its own network namespace with its own address and host key.
const bed = await startSshHosts({ count: 3, name: 'conformance' });
afterAll(() => bed[Symbol.asyncDispose]());

/** Gone, or a zombie (the hosts share this machine's process table). */
function isGone(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
  } catch {
    return true;
  }
}

const ssh: ConformanceOptions<Transport> = {
  transport: () => sshTransport({ user: bed.user, privateKey: bed.privateKeyPath, knownHosts: bed.knownHostsPath }),
  hosts: bed.hosts.map((host, i) => ({ name: host.name, address: host.address, slots: i === 0 ? 2 : 1 })),
  killWorker: async (server) => {
    const host = bed.hosts.find((candidate) => candidate.name === server.host)!;
    await bed.exec(host, `kill -9 ${server.pid}`);
  },
  isRunning: (server) => !isGone(server.pid),
};

describeTransportConformance('ssh', ssh);
describeStagingConformance('ssh', ssh);
