/**
 * Testing aids for Hostgrid programs and transports that need no test framework: an
 * in-memory transport (workers inside this process, every frame still encoded) and the
 * `Recorder` service the conformance suites publish. The suites themselves, which need
 * vitest, are `@hostgrid/core/testing/conformance`.
 *
 * @example
 * ```ts
 * import { Grid } from '@hostgrid/core';
 * import { memoryTransport, Recorder } from '@hostgrid/core/testing';
 * import { createWorkerSession } from '@hostgrid/worker';
 *
 * await using grid = await Grid.start({ hosts: [{ name: 'mem', slots: 2 }], transport: memoryTransport({ serve: createWorkerSession }) });
 * const proxy = await grid.acquireService<Recorder>(await grid.publish(new Recorder()));
 * await proxy.append('a'); // 1
 * ```
 *
 * @packageDocumentation
 */
export { memoryTransport, type MemoryTransport, type MemoryTransportOptions, type MemoryWorkerPort, type MemoryWorkerSession } from './memory-transport.js';
export { Recorder } from './services/recorder.js';
