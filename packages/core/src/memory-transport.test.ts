import { createWorkerSession } from '@hostgrid/worker';
import { memoryTransport, type MemoryTransport } from '@hostgrid/core/testing';
import { describeTransportConformance } from '@hostgrid/core/testing/conformance';

// The suite is imported from the built package so that its fixtures are plain .js files
// a worker can import.
describeTransportConformance<MemoryTransport>('memory', {
  transport: (limits) => memoryTransport({ serve: createWorkerSession, ...limits }),
  hosts: [{ name: 'm1', slots: 2 }, 'm2'],
  lateHost: { name: 'm3', slots: 2 },
  killWorker: (server, transport) => transport.crash(server.host, server.slot),
  isRunning: (server, transport) => transport.isOpen(server.host, server.slot),
});
