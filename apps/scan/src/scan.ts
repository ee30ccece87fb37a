import { Grid, type MapProgress } from '@hostgrid/core';
import { localTransport } from '@hostgrid/transport-local';
import { IsingPoint, type PointResult, type ScanPoint } from './ising-point.js';

/** Options of {@link runScan}. */
export interface ScanOptions {
  /** Worker processes on this machine. */
  readonly slots: number;
  /** Temperatures, evenly spaced from `from` to `to`. */
  readonly points: number;
  readonly from: number;
  readonly to: number;
  readonly size: number;
  readonly sweeps: number;
  /** Told of progress as the scan goes (a progress bar). */
  readonly onProgress?: (progress: MapProgress) => void;
}

/** The scan's points: an array, so that `grid.map` knows the total and the progress bar can show it. */
export function scanPoints({ points, from, to, size, sweeps }: ScanOptions): ScanPoint[] {
  return Array.from({ length: points }, (_, i) => ({ t: points === 1 ? from : from + ((to - from) * i) / (points - 1), size, sweeps, seed: 1 + i }));
}

/**
 * Runs the scan on a local grid: every point goes to the next free worker (`grid.map`),
 * results come back in temperature order.
 */
export async function runScan(options: ScanOptions): Promise<PointResult[]> {
  await using grid = await Grid.start({ hosts: [{ name: 'local', slots: options.slots }], transport: localTransport() });
  const id = await grid.publish(new IsingPoint());
  const onProgress = options.onProgress;
  // Awaited here, not returned: the grid is terminated at the end of this scope.
  return await grid.map<PointResult>(id, 'measure', scanPoints(options), onProgress === undefined ? {} : { onProgress }).toArray();
}
