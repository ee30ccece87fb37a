import { describe, expect, it } from 'vitest';
import { type ExchangeConfig, temperatureLadder } from './config.js';
import { type Ensemble, replicaSetups, runExchange } from './exchange.js';
import type { ReplicaSetup, Sample } from './replica.js';

const config: ExchangeConfig = { replicas: 4, rounds: 6, sweeps: 1, size: 4, tmin: 1, tmax: 8, seed: 3 };

/** An ensemble whose replica i always reports `energyOf(i)`, and records what it was asked. */
class FakeEnsemble implements Ensemble {
  readonly calls: number[][] = [];
  constructor(private readonly energyOf: (replica: number) => number) {}
  init(setups: readonly ReplicaSetup[]): Promise<readonly Sample[]> {
    return Promise.resolve(setups.map((s) => ({ replica: s.index, energy: this.energyOf(s.index), magnetization: 0 })));
  }
  sample(temperatures: readonly number[]): Promise<readonly Sample[]> {
    this.calls.push([...temperatures]);
    return Promise.resolve(temperatures.map((_, i) => ({ replica: i, energy: this.energyOf(i), magnetization: i })));
  }
}

describe('runExchange', () => {
  it('gives every replica its own seed derived from the master seed', () => {
    const seeds = replicaSetups(config).map((s) => s.seed);
    expect(new Set(seeds).size).toBe(4);
    expect(replicaSetups({ ...config, seed: 4 }).map((s) => s.seed)).not.toEqual(seeds);
  });

  it('always accepts a swap that puts the lower energy at the lower temperature', async () => {
    // replica i has energy 10 − i: higher replicas (hotter at the start) are lower in energy
    const ensemble = new FakeEnsemble((i) => 10 - i);
    const result = await runExchange(ensemble, config);
    // round 0 tries pairs 0 and 2, round 1 pair 1, …: each first try is favourable
    expect(result.acceptedPairsByRound[0]).toEqual([0, 2]);
    expect(result.acceptedPairsByRound[1]).toEqual([1]);
    const t = temperatureLadder(1, 8, 4);
    expect(ensemble.calls[0]).toEqual(t);
    expect(ensemble.calls[1]).toEqual([t[1], t[0], t[3], t[2]]);
    expect(result.swapAttempts).toEqual([3, 3, 3]);
  });

  it('alternates even and odd pairs from round to round', async () => {
    const result = await runExchange(new FakeEnsemble(() => 0), config);
    // equal energies: Δ = 0, so every attempted swap is accepted
    expect(result.acceptedPairsByRound).toEqual([[0, 2], [1], [0, 2], [1], [0, 2], [1]]);
    expect(result.swapAcceptance).toEqual([1, 1, 1]);
  });

  it('records energies by temperature, not by replica', async () => {
    const result = await runExchange(new FakeEnsemble((i) => 10 - i), { ...config, rounds: 2 });
    expect(result.energiesByTemperature.map((es) => es[0])).toEqual([10, 9, 8, 7]);
    expect(result.energiesByTemperature.map((es) => es[1])).toEqual([9, 10, 7, 8]);
    expect(result.finalReplicaAtTemperature).toEqual([1, 3, 0, 2]);
    expect(result.finalEnergies).toEqual([9, 7, 10, 8]);
  });

  it('fails loudly when the answers come from the wrong replicas', async () => {
    const shuffled: Ensemble = {
      init: (setups) => Promise.resolve(setups.map((s) => ({ replica: s.index, energy: 0, magnetization: 0 }))),
      sample: (temperatures) =>
        Promise.resolve(temperatures.map((_, i) => ({ replica: temperatures.length - 1 - i, energy: 0, magnetization: 0 }))),
    };
    await expect(runExchange(shuffled, config)).rejects.toThrow(/pair one to one/);
  });

  it('refuses an invalid config before touching the ensemble', async () => {
    const ensemble = new FakeEnsemble(() => 0);
    await expect(runExchange(ensemble, { ...config, replicas: 1 })).rejects.toThrow(RangeError);
    expect(ensemble.calls).toEqual([]);
  });
});
