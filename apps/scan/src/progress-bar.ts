import type { MapProgress } from '@hostgrid/core';

/** One line of progress: `[#####.....] 50/100 (1 failed) 12.3/s, eta 4 s`. */
export function progressLine(progress: MapProgress, width = 30): string {
  const { done, failed, total, perSecond, etaMs } = progress;
  const share = total === undefined || total === 0 ? 0 : Math.min(1, done / total);
  const filled = Math.round(share * width);
  const bar = total === undefined ? '' : `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] `;
  const count = total === undefined ? `${done}` : `${done}/${total}`;
  const failures = failed > 0 ? ` (${failed} failed)` : '';
  const eta = etaMs === undefined ? '' : `, eta ${Math.ceil(etaMs / 1000)} s`;
  return `${bar}${count}${failures} ${perSecond.toFixed(1)}/s${eta}`;
}
