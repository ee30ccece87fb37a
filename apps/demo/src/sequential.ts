import type { ExchangeConfig } from './config.js';
import { type Ensemble, type ExchangeOptions, type ExchangeResult, runExchange } from './exchange.js';
import { Replica, type ReplicaSetup, type Sample } from './replica.js';

/**
 * An {@link Ensemble} of plain {@link Replica} instances in this process, run one after
 * the other: the reference a grid run is checked against.
 */
export class LocalEnsemble implements Ensemble {
  /** The replicas, made by {@link LocalEnsemble.init}. */
  readonly replicas: Replica[] = [];

  /** Makes one new replica per setup, in order. */
  init(setups: readonly ReplicaSetup[]): Promise<readonly Sample[]> {
    this.replicas.length = 0;
    const samples = setups.map((setup) => {
      const replica = new Replica();
      this.replicas.push(replica);
      return replica.init(setup);
    });
    return Promise.resolve(samples);
  }

  /** Samples every replica at its temperature, in order. */
  sample(temperatures: readonly number[], sweeps: number): Promise<readonly Sample[]> {
    if (temperatures.length !== this.replicas.length) {
      return Promise.reject(new RangeError(`expected ${this.replicas.length} temperatures, got ${temperatures.length}`));
    }
    return Promise.resolve(this.replicas.map((replica, i) => replica.sample(temperatures[i]!, sweeps)));
  }
}

/**
 * Runs replica exchange sequentially in this process, without a grid.
 *
 * @throws RangeError when the config is invalid
 */
export function runSequential(config: ExchangeConfig, options: ExchangeOptions = {}): Promise<ExchangeResult> {
  return runExchange(new LocalEnsemble(), config, options);
}
