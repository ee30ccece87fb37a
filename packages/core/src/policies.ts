/**
 * Restart policy of a service (opt-in): when a worker serving it is lost, a fresh worker
 * is started on the same host and slot, and the service's copy on it is made again
 * from what was published, not from the lost copy: state built up since publish is
 * not carried over.
 */
export interface RestartPolicy {
  /** Restarts allowed per slot (failed attempts count). After that the slot is given up. */
  readonly maxRestarts: number;
  /** Wait before the first attempt, in ms; it doubles with each attempt, up to 10 s. @defaultValue 100 */
  readonly backoffMs?: number;
}

/**
 * Retry policy of a service (opt-in, for idempotent methods only): a `grid.call` of one
 * of `methods` whose server was lost is sent again to another server, up to `attempts` times.
 */
export interface RetryPolicy {
  /** The methods that may run twice without harm, or `'all'`. */
  readonly methods: readonly string[] | 'all';
  /** How many times a call may be sent again. */
  readonly attempts: number;
}

/** Options of `grid.publish`. */
export interface PublishOptions {
  readonly restart?: RestartPolicy;
  readonly retry?: RetryPolicy;
}

const MAX_BACKOFF_MS = 10_000;

/** The wait before restart attempt `attempt` (from 0). */
export function backoffDelay(policy: RestartPolicy, attempt: number): number {
  return Math.min(MAX_BACKOFF_MS, (policy.backoffMs ?? 100) * 2 ** attempt);
}

/**
 * Checks publish options.
 *
 * @throws TypeError naming the field
 */
export function checkPublishOptions(options: PublishOptions): void {
  const { restart, retry } = options;
  if (restart !== undefined) {
    if (!Number.isInteger(restart.maxRestarts) || restart.maxRestarts < 0) throw new TypeError('[hostgrid] publish: "restart.maxRestarts" must be an integer >= 0');
    if (restart.backoffMs !== undefined && !(restart.backoffMs >= 0)) throw new TypeError('[hostgrid] publish: "restart.backoffMs" must be a number of ms >= 0');
  }
  if (retry !== undefined) {
    if (!Number.isInteger(retry.attempts) || retry.attempts < 0) throw new TypeError('[hostgrid] publish: "retry.attempts" must be an integer >= 0');
    if (retry.methods !== 'all' && !(Array.isArray(retry.methods) && retry.methods.every((m) => typeof m === 'string'))) {
      throw new TypeError('[hostgrid] publish: "retry.methods" must be an array of method names or "all"');
    }
  }
}

/** How many times a call of `method` may be retried under `policy`. */
export function retriesFor(policy: RetryPolicy | undefined, method: string): number {
  if (policy === undefined) return 0;
  return policy.methods === 'all' || policy.methods.includes(method) ? policy.attempts : 0;
}
