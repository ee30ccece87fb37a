import { describe, expect, it } from 'vitest';
import { formatProgress, formatSummary } from './report.js';
import { runSequential } from './sequential.js';

describe('report', () => {
  it('formats a progress line with a bar', () => {
    expect(formatProgress({ round: 10, rounds: 50, accepted: 41, attempted: 60 })).toBe('round 10/50 [####................]  swaps accepted 41/60 (68.3%)');
    expect(formatProgress({ round: 0, rounds: 5, accepted: 0, attempted: 0 })).toBe('round 0/5 [....................]  swaps accepted 0/0');
    expect(formatProgress({ round: 5, rounds: 5, accepted: 3, attempted: 6 })).toBe('round 5/5 [####################]  swaps accepted 3/6 (50.0%)');
  });

  it('prints one row per temperature, the wall time and the servers', async () => {
    const result = await runSequential({ replicas: 3, rounds: 4, sweeps: 1, size: 4, tmin: 2, tmax: 3, seed: 1 });
    const text = formatSummary(result, { wallMs: 1234, servers: [{ host: 'local', slot: 0, jobs: 5, meanMs: 1.5 }] });
    expect(text).toContain('2.0000');
    expect(text).toContain('3.0000');
    expect(text).toContain('wall time 1.23 s');
    expect(text).toContain('local/0: 5 calls, 1.50 ms mean');
    expect(formatSummary(result, { wallMs: 1 })).toContain('servers used: none');
  });
});
