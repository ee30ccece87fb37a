import { watch, type Result, type UnobservedReporter } from './result.js';
import type { CallOwner, WorkerLink } from './worker-link.js';

const WINDOW = 50;

/** Told when a server's call starts and ends (the grid's events). */
export interface CallObserver {
  callStarted(server: Server, method: string): void;
  callFinished(server: Server, method: string, elapsedMs: number): void;
  /** A call failed and nobody handled its result by the end of that turn. */
  readonly unobserved: UnobservedReporter;
}

/**
 * One service's instance on one worker slot: the seed's `Server`. It counts its jobs and
 * the time of its last 50 calls, and knows whether a holder (a proxy, a broadcast) has it.
 */
export class Server implements CallOwner {
  readonly link: WorkerLink;
  readonly service: string;
  /** Held by a proxy or a broadcast/scatter, so not free for `acquireService`. */
  busy = false;
  /** Lost with its worker; never handed out again. */
  lost = false;
  /** Its host is being removed (`grid.removeHost`): never handed out again. */
  retiring = false;
  /** Calls sent and not yet ended. */
  inflight = 0;
  /** Calls completed. */
  jobs = 0;
  /** Set when the holder released the server while calls were in flight. */
  releaseWhenIdle = false;
  /** Called when the server becomes idle after a release (set by the pool). */
  onIdle: ((server: Server) => void) | undefined;
  observer: CallObserver | undefined;
  readonly #times = new Float64Array(WINDOW);
  #timeCount = 0;
  #timeSum = 0;

  constructor(link: WorkerLink, service: string) {
    this.link = link;
    this.service = service;
  }

  /** Mean time of the last 50 calls, in ms (0 before the first). */
  get meanMs(): number {
    const n = Math.min(this.#timeCount, WINDOW);
    return n === 0 ? 0 : this.#timeSum / n;
  }

  /** Sends a call to this server's instance. */
  call(method: string, args: readonly unknown[], signal?: AbortSignal): Result<unknown> {
    const result = this.link.call(this.service, method, args, this.link.alive ? this : undefined, signal);
    if (this.observer !== undefined) result[watch](this.observer.unobserved);
    if (!result.settled) {
      this.inflight++;
      this.observer?.callStarted(this, method);
    }
    return result;
  }

  /** @internal Called by the link when one of this server's calls ends. */
  callEnded(elapsedMs: number, method: string): void {
    const slot = this.#timeCount % WINDOW;
    this.#timeSum += elapsedMs - this.#times[slot]!;
    this.#times[slot] = elapsedMs;
    this.#timeCount++;
    this.jobs++;
    this.inflight--;
    this.observer?.callFinished(this, method, elapsedMs);
    if (this.inflight === 0 && this.releaseWhenIdle) {
      this.releaseWhenIdle = false;
      this.onIdle?.(this);
    }
  }
}
