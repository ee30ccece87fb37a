/**
 * Sends a ping whenever nothing else was sent for one interval, so that the controller
 * can tell a quiet worker from a dead one. Recording a send costs one clock read; the
 * timer only wakes once per interval and is `unref()`'d.
 */
export class Heartbeat {
  readonly #intervalMs: number;
  readonly #beat: () => void;
  #lastSent = performance.now();
  #timer: NodeJS.Timeout | undefined;

  /**
   * @param intervalMs - longest time without sending anything, in ms (> 0)
   * @param beat - sends the ping (and is expected to call {@link Heartbeat.sent})
   */
  constructor(intervalMs: number, beat: () => void) {
    this.#intervalMs = intervalMs;
    this.#beat = beat;
    this.#schedule(intervalMs);
  }

  /** Something was sent just now. */
  sent(): void {
    this.#lastSent = performance.now();
  }

  /** Stops the timer for good. */
  stop(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  readonly #tick = (): void => {
    const idle = performance.now() - this.#lastSent;
    if (idle >= this.#intervalMs) {
      this.#beat();
      this.#lastSent = performance.now();
      this.#schedule(this.#intervalMs);
    } else {
      this.#schedule(this.#intervalMs - idle);
    }
  };

  #schedule(ms: number): void {
    this.#timer = setTimeout(this.#tick, Math.max(1, Math.ceil(ms)));
    this.#timer.unref();
  }
}
