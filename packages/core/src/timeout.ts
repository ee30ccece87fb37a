/** The longest delay a Node timer takes (about 24.8 days); longer ones would fire at once. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * Checks a user's timeout in ms. `undefined`, `Infinity` and anything longer than a timer
 * can wait mean "no timeout".
 *
 * @throws TypeError for a value that is not a number; RangeError for a negative number
 *   or NaN; both naming `what`
 */
export function checkTimeout(timeoutMs: number | undefined, what: string): number | undefined {
  if (timeoutMs === undefined) return undefined;
  checkDurationMs(timeoutMs, what);
  return timeoutMs > MAX_TIMER_MS ? undefined : timeoutMs;
}

/**
 * Checks a duration option in ms (a timeout, a grace period, a wait): `undefined` is
 * left to the caller's default.
 *
 * @param min - the least value allowed
 * @throws TypeError for a value that is not a number; RangeError for NaN or a number
 *   below `min`; both naming `what`
 */
export function checkDurationMs(value: number | undefined, what: string, min = 0): void {
  if (value === undefined) return;
  if (typeof value !== 'number') throw new TypeError(`[hostgrid] ${what} must be a number of ms, got ${typeof value}`);
  if (!(value >= min)) throw new RangeError(`[hostgrid] ${what} must be a number of ms >= ${min}, got ${String(value)}`);
}
