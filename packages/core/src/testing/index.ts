/**
 * Testing aids for Hostgrid transports and programs: an in-memory transport, and the
 * conformance suite every transport runs (vitest).
 *
 * @example
 * ```ts
 * import { describeTransportConformance } from '@hostgrid/core/testing';
 * import { localTransport } from '@hostgrid/transport-local';
 *
 * describeTransportConformance('local', {
 *   transport: () => localTransport(),
 *   hosts: [{ name: 'local', slots: 2 }],
 *   killWorker: (server) => process.kill(server.pid, 'SIGKILL'),
 *   isRunning: (server) => { try { process.kill(server.pid, 0); return true; } catch { return false; } },
 * });
 * ```
 *
 * @packageDocumentation
 */
export { memoryTransport, type MemoryTransport, type MemoryTransportOptions, type MemoryWorkerPort, type MemoryWorkerSession } from './memory-transport.js';
export { describeTransportConformance, type ConformanceOptions } from './conformance.js';
export { describeStagingConformance } from './staging-conformance.js';
export { Recorder } from './fixtures/recorder.js';
