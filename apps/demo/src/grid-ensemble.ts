import type { Grid, ServiceId } from '@hostgrid/core';
import type { Ensemble } from './exchange.js';
import type { ReplicaSetup, Sample } from './replica.js';

/**
 * An {@link Ensemble} whose replicas are the servers of one published `Replica` service:
 * replica i lives on server i, because `scatter` hands its i-th argument list to server i,
 * in the same server order at every call. So the grid must have exactly one server per
 * replica; the driver checks every answer's replica index and fails loudly otherwise.
 */
export class GridEnsemble implements Ensemble {
  readonly #grid: Grid;
  readonly #service: ServiceId;

  /**
   * @param grid - a started grid
   * @param service - the id of a published `Replica` service on it
   */
  constructor(grid: Grid, service: ServiceId) {
    this.#grid = grid;
    this.#service = service;
  }

  /** Scatters `init(setups[i])` to server i and gathers the starting samples. */
  init(setups: readonly ReplicaSetup[]): Promise<readonly Sample[]> {
    return this.#grid.gather(this.#grid.scatter<Sample>(this.#service, 'init', setups.map((setup) => [setup])));
  }

  /** Scatters `sample(temperatures[i], sweeps)` to server i and gathers the samples. */
  sample(temperatures: readonly number[], sweeps: number): Promise<readonly Sample[]> {
    return this.#grid.gather(this.#grid.scatter<Sample>(this.#service, 'sample', temperatures.map((t) => [t, sweeps])));
  }
}
