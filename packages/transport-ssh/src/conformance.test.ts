import { afterAll } from 'vitest';
import type { Transport } from '@hostgrid/core';
import { describeStagingConformance, describeTransportConformance, type ConformanceOptions } from '@hostgrid/core/testing/conformance';
import { isGone, startSshHosts } from '@hostgrid/testbed';
import { sshTransport } from './ssh-transport.js';

// Real sshd servers, each in its own network namespace with its own address and host key.
// The fourth joins a running grid in the addHost test.
const bed = await startSshHosts({ count: 4, name: 'conformance' });
const [late, ...started] = [bed.hosts[3]!, ...bed.hosts.slice(0, 3)];
afterAll(() => bed[Symbol.asyncDispose]());

const ssh: ConformanceOptions<Transport> = {
  transport: (limits) => sshTransport({ user: bed.user, privateKey: bed.privateKeyPath, knownHosts: bed.knownHostsPath, ...limits }),
  hosts: started.map((host, i) => ({ name: host.name, address: host.address, slots: i === 0 ? 2 : 1 })),
  lateHost: { name: late.name, address: late.address, slots: 2 },
  killWorker: async (server) => {
    const host = bed.hosts.find((candidate) => candidate.name === server.host)!;
    await bed.exec(host, `kill -9 ${server.pid}`);
  },
  isRunning: (server) => !isGone(server.pid),
};

describeTransportConformance('ssh', ssh);
describeStagingConformance('ssh', ssh);
