import { describe, expect, it } from 'vitest';
import type { ExchangeConfig } from './config.js';
import { runSequential } from './sequential.js';

const config: ExchangeConfig = { replicas: 4, rounds: 30, sweeps: 5, size: 10, tmin: 1.8, tmax: 3.2, seed: 11 };

describe('runSequential', () => {
  it('gives the same result for the same config', async () => {
    expect(await runSequential(config)).toEqual(await runSequential({ ...config }));
  });

  it('gives a different result for a different seed', async () => {
    const a = await runSequential(config);
    const b = await runSequential({ ...config, seed: 12 });
    expect(b.energiesByTemperature).not.toEqual(a.energiesByTemperature);
  });

  it('returns plain data that survives JSON', async () => {
    const result = await runSequential(config);
    expect(JSON.parse(JSON.stringify(result))).toEqual(result);
  });

  it('has one series per temperature and one entry per round', async () => {
    const result = await runSequential(config);
    expect(result.temperatures).toHaveLength(4);
    expect(result.energiesByTemperature.map((es) => es.length)).toEqual([30, 30, 30, 30]);
    expect(result.acceptedPairsByRound).toHaveLength(30);
    expect(result.swapAttempts).toEqual([15, 15, 15]);
    expect(result.config).toEqual(config);
  });

  it('is colder (lower energy) at lower temperature', async () => {
    const { meanEnergyPerSpin } = await runSequential({ ...config, rounds: 60 });
    expect(meanEnergyPerSpin[0]!).toBeLessThan(meanEnergyPerSpin[3]!);
    expect(meanEnergyPerSpin.every((e) => e >= -2 && e <= 0)).toBe(true);
  });

  it('keeps only the config fields in the result', async () => {
    const result = await runSequential({ ...config, extra: true } as ExchangeConfig);
    expect(result.config).toEqual(config);
  });

  it('reports progress once per round', async () => {
    const rounds: number[] = [];
    await runSequential({ ...config, rounds: 5 }, { onRound: (p) => rounds.push(p.round) });
    expect(rounds).toEqual([1, 2, 3, 4, 5]);
  });
});
