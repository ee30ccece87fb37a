import { describeStagingConformance, describeTransportConformance, type ConformanceOptions } from '@hostgrid/core/testing/conformance';
import type { Transport } from '@hostgrid/core';
import { isGone } from '@hostgrid/testbed';
import { localTransport } from './local-transport.js';


const local: ConformanceOptions<Transport> = {
  transport: (limits) => localTransport({ ...limits }),
  hosts: [{ name: 'local', slots: 2 }, { name: 'nice', slots: 1, niceness: 5 }],
  lateHost: { name: 'late', slots: 2 },
  killWorker: (server) => {
    process.kill(server.pid, 'SIGKILL');
  },
  isRunning: (server) => !isGone(server.pid),
};

describeTransportConformance('local', local);
describeStagingConformance('local', local);
