import { describe, expectTypeOf, it } from 'vitest';
import type { WorkerLostError } from './errors.js';
import type { ServerInfo } from './events.js';
import type { Grid } from './grid.js';

describe('Grid event typing', () => {
  it('gives each listener the arguments of its event', () => {
    const grid = {} as Grid;
    grid.on('server-lost', (server, error) => {
      expectTypeOf(server).toEqualTypeOf<ServerInfo>();
      expectTypeOf(error).toEqualTypeOf<WorkerLostError>();
    });
    grid.once('call-finished', (_call, elapsedMs) => expectTypeOf(elapsedMs).toEqualTypeOf<number>());
    expectTypeOf(grid.on('debug', () => {})).toEqualTypeOf<Grid>();
  });

  it('refuses an unknown event, a listener of the wrong shape and emitted arguments of the wrong type', () => {
    const grid = {} as Grid;
    // @ts-expect-error no such event
    grid.on('server-gone', () => {});
    // @ts-expect-error a debug message is a string
    grid.on('debug', (message: number) => message);
    // @ts-expect-error output is one OutputEvent
    grid.emit('output', 'line');
  });
});
