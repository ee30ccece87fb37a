import { describeTransportConformance } from '@hostgrid/core/testing';
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

describeTransportConformance('local', {
  transport: () => localTransport(),
  hosts: [{ name: 'local', slots: 2 }, { name: 'nice', slots: 1, niceness: 5 }],
  killWorker: (server) => {
    process.kill(server.pid, 'SIGKILL');
  },
  isRunning: (server) => isRunning(server.pid),
});
