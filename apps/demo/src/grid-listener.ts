import type { Grid } from '@hostgrid/core';

/**
 * What happens to a grid's servers, as the demo's timeline and live view want it: the
 * grid's `server-added`, `server-lost`, `call-started` and `call-finished` events reduced
 * to host and slot. Every method is optional.
 */
export interface GridListener {
  /** A server is ready on `host`/`slot`. */
  serverAdded?(host: string, slot: number): void;
  /** The server on `host`/`slot` was lost with its worker. */
  serverLost?(host: string, slot: number): void;
  /** A call was sent to the server on `host`/`slot`. */
  callStarted?(host: string, slot: number): void;
  /** A call on `host`/`slot` ended, either way, after `elapsedMs`. */
  callFinished?(host: string, slot: number, elapsedMs: number): void;
}

/**
 * Feeds a grid's server and call events to listeners, in the order they are given.
 *
 * @returns a function that detaches them again
 */
export function followGrid(grid: Grid, listeners: readonly GridListener[]): () => void {
  const added = (server: { host: string; slot: number }): void => listeners.forEach((l) => l.serverAdded?.(server.host, server.slot));
  const lost = (server: { host: string; slot: number }): void => listeners.forEach((l) => l.serverLost?.(server.host, server.slot));
  const started = (call: { host: string; slot: number }): void => listeners.forEach((l) => l.callStarted?.(call.host, call.slot));
  const finished = (call: { host: string; slot: number }, elapsedMs: number): void =>
    listeners.forEach((l) => l.callFinished?.(call.host, call.slot, elapsedMs));
  grid.on('server-added', added);
  grid.on('server-lost', lost);
  grid.on('call-started', started);
  grid.on('call-finished', finished);
  return () => {
    grid.off('server-added', added);
    grid.off('server-lost', lost);
    grid.off('call-started', started);
    grid.off('call-finished', finished);
  };
}
