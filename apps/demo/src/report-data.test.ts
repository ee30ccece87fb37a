import { describe, expect, it } from 'vitest';
import type { ExchangeConfig } from './config.js';
import { REPORT_FORMAT, buildReportData, phasesOf } from './report-data.js';
import { runSequential } from './sequential.js';
import type { Timeline } from './timeline.js';

const config: ExchangeConfig = { replicas: 4, rounds: 30, sweeps: 2, size: 6, tmin: 2, tmax: 2.6, seed: 3 };

const timeline: Timeline = {
  totalMs: 100,
  resolutionMs: 0.025,
  servers: [
    { host: 'a', slot: 0, calls: 31, busyMs: 40, busyByPhaseMs: [0, 0, 40, 0], segments: [[20, 30], [60, 10]] },
    { host: 'a', slot: 1, calls: 31, busyMs: 35, busyByPhaseMs: [0, 0, 35, 0], segments: [[21, 35]] },
  ],
  marks: [
    { label: 'staging files', atMs: 5 },
    { label: 'exchange rounds', atMs: 20 },
    { label: 'stopping grid', atMs: 90 },
  ],
  roundMs: Array.from({ length: 30 }, (_, i) => 2 + (i % 3)),
};

const run = { transport: 'local', hosts: [{ name: 'a', slots: 4 }], wallMs: 100, servers: [] };

describe('buildReportData', () => {
  it('has energy per spin per temperature and round, swap acceptance per pair, and the config', async () => {
    const result = await runSequential(config);
    const data = buildReportData(result, { run, timeline, generatedAt: new Date('2025-01-02T03:04:05Z') });
    expect(data.format).toBe(REPORT_FORMAT);
    expect(data.generatedAt).toBe('2025-01-02T03:04:05.000Z');
    expect(data.config).toEqual(config);
    expect(data.temperatures).toEqual(result.temperatures);
    expect(data.energy.rounds).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
    expect(data.energy.roundsPerPoint).toBe(1);
    expect(data.energy.perSpin).toHaveLength(4);
    data.energy.perSpin.forEach((line, k) => {
      expect(line).toHaveLength(30);
      line.forEach((e, r) => expect(e).toBeCloseTo(result.energiesByTemperature[k]![r]! / 36, 6));
    });
    expect(data.swaps).toHaveLength(3);
    expect(data.swaps[1]).toEqual({
      pair: 1,
      tLow: result.temperatures[1],
      tHigh: result.temperatures[2],
      attempted: result.swapAttempts[1],
      accepted: result.swapAccepted[1],
      acceptance: result.swapAcceptance[1],
    });
    expect(data.swapTotals.attempted).toBe(result.swapAttempts.reduce((a, b) => a + b, 0));
    expect(data.means.energyPerSpin).toEqual(result.meanEnergyPerSpin);
    // plain JSON
    expect(JSON.parse(JSON.stringify(data))).toEqual(data);
  });

  it('thins long runs to at most maxPoints points per temperature', async () => {
    const result = await runSequential({ ...config, rounds: 250 });
    const data = buildReportData(result, { run, maxPoints: 100 });
    expect(data.energy.roundsPerPoint).toBe(3);
    expect(data.energy.rounds.length).toBeLessThanOrEqual(100);
    expect(data.energy.perSpin.every((line) => line.length === data.energy.rounds.length)).toBe(true);
    const firstMean = (result.energiesByTemperature[0]![0]! + result.energiesByTemperature[0]![1]! + result.energiesByTemperature[0]![2]!) / 3 / 36;
    expect(data.energy.perSpin[0]![0]).toBeCloseTo(firstMean, 6);
  });

  it('carries the timeline with its phases and the round times, or nulls for a sequential run', async () => {
    const result = await runSequential(config);
    const data = buildReportData(result, { run, timeline });
    expect(data.timeline?.servers).toEqual(timeline.servers);
    expect(data.timeline?.phases).toEqual([
      { label: 'starting grid', fromMs: 0, toMs: 5 },
      { label: 'staging files', fromMs: 5, toMs: 20 },
      { label: 'exchange rounds', fromMs: 20, toMs: 90 },
      { label: 'stopping grid', fromMs: 90, toMs: 100 },
    ]);
    expect(data.roundTime?.ms).toEqual(timeline.roundMs);
    const sequential = buildReportData(result, { run: { ...run, transport: 'sequential', hosts: [] } });
    expect(sequential.timeline).toBeNull();
    expect(sequential.roundTime).toBeNull();
  });

  it('makes back-to-back phases from marks', () => {
    expect(phasesOf({ ...timeline, marks: [] })).toEqual([{ label: 'starting grid', fromMs: 0, toMs: 100 }]);
  });
});
