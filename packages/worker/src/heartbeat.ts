/**
 * Sends a ping whenever nothing else was sent for one interval, so that the controller
 * can tell a quiet worker from a dead one. Recording a send sets a flag (no clock read:
 * it is on every frame's path); the timer wakes once per interval, pings if nothing was
 * sent since its last wake, and is `unref()`'d.
 */
export class Heartbeat {
  readonly #intervalMs: number;
  readonly #beat: () => void;
  #sent = false;
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
    this.#sent = true;
  }

  /** Stops the timer for good. */
  stop(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  readonly #tick = (): void => {
    if (!this.#sent) this.#beat();
    this.#sent = false;
    this.#schedule(this.#intervalMs);
  };

  #schedule(ms: number): void {
    this.#timer = setTimeout(this.#tick, Math.max(1, Math.ceil(ms)));
    this.#timer.unref();
  }
}
