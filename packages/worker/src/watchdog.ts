/**
 * Ends the worker when the controller has been silent for too long, so that a worker
 * whose controller died (or whose network went away) does not run forever.
 *
 * A long synchronous call blocks the event loop; when it returns, the timer may be
 * due while the controller's pings are still unread in the socket. A due timer is
 * therefore never trusted on its own: the silence is measured again in a
 * `setImmediate`, which runs after the event loop's poll phase has read whatever
 * input was waiting. Only a silence that survives that re-check expires the watchdog.
 * Telling a late tick apart by its lateness is not enough: the loop may have been
 * blocked for most of the interval and still come back just in time for the tick.
 *
 * Hearing costs no clock read (it is on every frame's path): it sets a flag, and the
 * timer, which wakes four times per timeout, turns the flag into a time. So the watchdog
 * expires between `timeoutMs` and `1.25 × timeoutMs` of silence.
 */
export class Watchdog {
  readonly #timeoutMs: number;
  readonly #expire: (silentMs: number) => void;
  #lastHeard = performance.now();
  #heard = false;
  #timer: NodeJS.Timeout | undefined;
  #recheck: NodeJS.Immediate | undefined;
  #stopped = false;

  /**
   * @param timeoutMs - longest silence allowed, in ms (> 0)
   * @param expire - called once, with the silence measured, when the watchdog expires
   */
  constructor(timeoutMs: number, expire: (silentMs: number) => void) {
    this.#timeoutMs = timeoutMs;
    this.#expire = expire;
    this.#schedule(timeoutMs / 4);
  }

  /** Something arrived from the controller just now. */
  heard(): void {
    this.#heard = true;
  }

  /** Stops the watchdog for good. */
  stop(): void {
    this.#stopped = true;
    clearTimeout(this.#timer);
    if (this.#recheck !== undefined) clearImmediate(this.#recheck);
    this.#timer = undefined;
    this.#recheck = undefined;
  }

  /** Milliseconds since the controller was last heard (to within a tick). */
  #silence(): number {
    const now = performance.now();
    if (this.#heard) {
      this.#heard = false;
      this.#lastHeard = now;
    }
    return now - this.#lastHeard;
  }

  readonly #tick = (): void => {
    this.#timer = undefined;
    if (this.#silence() < this.#timeoutMs) {
      this.#schedule(this.#timeoutMs / 4);
      return;
    }
    // Not unref()'d: an unref()'d immediate lets the poll phase block until other I/O
    // comes, which in true silence could be never. It keeps the loop alive one turn only.
    this.#recheck = setImmediate(this.#afterIo);
  };

  readonly #afterIo = (): void => {
    this.#recheck = undefined;
    if (this.#stopped) return;
    const silent = this.#silence();
    if (silent < this.#timeoutMs) {
      this.#schedule(this.#timeoutMs / 4);
      return;
    }
    this.#stopped = true;
    this.#expire(silent);
  };

  #schedule(ms: number): void {
    this.#timer = setTimeout(this.#tick, Math.max(1, Math.ceil(ms)));
    this.#timer.unref();
  }
}
