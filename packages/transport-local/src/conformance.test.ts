import { describeStagingConformance, describeTransportConformance, type ConformanceOptions } from '@hostgrid/core/testing';
import type { Transport } from '@hostgrid/core';
import { localTransport } from './local-transport.js';

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ESRCH') return false;
    throw err;
  }
}

const local: ConformanceOptions<Transport> = {
  transport: () => localTransport(),
  hosts: [{ name: 'local', slots: 2 }, { name: 'nice', slots: 1, niceness: 5 }],
  killWorker: (server) => {
    process.kill(server.pid, 'SIGKILL');
  },
  isRunning: (server) => isRunning(server.pid),
};

describeTransportConformance('local', local);
describeStagingConformance('local', local);
