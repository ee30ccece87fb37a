/**
 * Hostgrid's WebSocket transport: hosts dial in to the controller. On each host, a
 * person, a scheduler or a container starts a host agent; it joins with the grid's
 * token (an HMAC proof, never the token itself) and starts slot workers when the grid
 * asks, each dialling in on its own. Optional TLS (`wss://`); staging over the protocol.
 *
 * @example
 * ```ts
 * import { Grid } from '@hostgrid/core';
 * import { generateToken, wsTransport } from '@hostgrid/transport-ws';
 *
 * const token = process.env.HOSTGRID_TOKEN ?? generateToken();
 * const transport = await wsTransport({ listen: { host: '0.0.0.0', port: 7000 }, token });
 * // on each host: HOSTGRID_TOKEN=… npx @hostgrid/cli agent --connect ws://controller:7000 --host gpu1 --slots 8
 * await using grid = await Grid.start({ hosts: [{ name: 'gpu1', slots: 8 }], transport });
 * ```
 *
 * @packageDocumentation
 */
export { wsTransport, type WsTransport, type ConnectedHost } from './ws-transport.js';
export { generateToken, type WsTransportOptions } from './options.js';
export { JoinTimeoutError } from './errors.js';
export { CloseCode } from '@hostgrid/protocol';
