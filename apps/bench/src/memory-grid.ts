/**
 * A grid on the in-memory transport of `@hostgrid/core/testing`: its workers are
 * sessions of `@hostgrid/worker` inside this process, every frame still encoded and
 * delivered a microtask later, but no process, socket or system call in between. What
 * it measures is the grid's own cost.
 */
import { Grid, type ServiceId } from '@hostgrid/core';
import { memoryTransport } from '@hostgrid/core/testing';
import { createWorkerSession } from '@hostgrid/worker';
import { Adder } from './adder.js';

/** Starts an in-memory grid of `servers` slots on one host and publishes one {@link Adder}. */
export async function memoryGrid(servers: number): Promise<{ grid: Grid; id: ServiceId }> {
  const grid = await Grid.start({ hosts: [{ name: 'mem', slots: servers }], transport: memoryTransport({ serve: createWorkerSession }) });
  try {
    return { grid, id: await grid.publish(new Adder()) };
  } catch (error) {
    await grid.terminate({ cleanup: true });
    throw error;
  }
}
