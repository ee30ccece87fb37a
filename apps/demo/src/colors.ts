/**
 * The colour of temperature `k` of `count`, from blue (coldest) through purple to red
 * (hottest), as a CSS `hsl()` colour.
 */
export function temperatureColor(k: number, count: number): string {
  const t = count > 1 ? k / (count - 1) : 0;
  const hue = Math.round((225 + 135 * t) % 360);
  return `hsl(${hue} 70% ${Math.round(42 + 4 * Math.sin(Math.PI * t))}%)`;
}

/** Busy time on the timeline. */
export const BUSY_COLOR = '#2f7d5b';
