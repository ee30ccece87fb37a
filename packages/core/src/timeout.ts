/** The longest delay a Node timer takes (about 24.8 days); longer ones would fire at once. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * Checks a user's timeout in ms. `undefined`, `Infinity` and anything longer than a timer
 * can wait mean "no timeout".
 *
 * @throws TypeError for a negative number or NaN, naming `what`
 */
export function checkTimeout(timeoutMs: number | undefined, what: string): number | undefined {
  if (timeoutMs === undefined) return undefined;
  if (typeof timeoutMs !== 'number' || !(timeoutMs >= 0)) {
    throw new TypeError(`[hostgrid] ${what} must be a number of ms >= 0, got ${String(timeoutMs)}`);
  }
  return timeoutMs > MAX_TIMER_MS ? undefined : timeoutMs;
}
