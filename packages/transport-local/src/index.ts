/**
 * Hostgrid's local transport: every host is this machine, and each slot is a child
 * process running the worker runtime, talking length-prefixed frames over its fd 3.
 *
 * @example
 * ```ts
 * import { Grid } from '@hostgrid/core';
 * import { localTransport } from '@hostgrid/transport-local';
 *
 * await using grid = await Grid.start({
 *   hosts: [{ name: 'local', slots: 4, niceness: 10 }],
 *   transport: localTransport({ nodeArgs: ['--enable-source-maps'] }),
 * });
 * ```
 *
 * @packageDocumentation
 */
export { localTransport, type LocalTransportOptions } from './local-transport.js';
