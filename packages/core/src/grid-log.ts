import { describeWhere, type ErrorContext } from './errors.js';

/** One level method of a {@link Logger}: structured fields first, then the message (pino's order). */
export type LogMethod = (fields: Record<string, unknown>, message?: string) => void;

/**
 * Any logger with the usual level methods, called as `logger.warn({ host, slot }, 'lost worker …')`:
 * pino, or anything of its shape (bunyan's, a test's recorder, an adapter to another
 * library). `trace` is optional: without it, per-call messages are not logged. With
 * `isLevelEnabled` (pino has it), per-call messages are only made while `trace` is enabled.
 */
export interface Logger {
  trace?: LogMethod;
  debug: LogMethod;
  info: LogMethod;
  warn: LogMethod;
  error: LogMethod;
  isLevelEnabled?(level: string): boolean;
}

/** The levels the grid logs at. */
export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error';

/**
 * The structured fields of a grid's log line: where it happened (`host`, `slot`,
 * `service`, `method`) and, for a failure, the error as `err` (pino's key for errors).
 */
export interface LogFields {
  readonly host?: string | undefined;
  readonly slot?: number | undefined;
  readonly service?: string | undefined;
  readonly method?: string | undefined;
  readonly err?: unknown;
  readonly [field: string]: unknown;
}

/**
 * @internal Checks a `logger` option: each level method must be a function.
 *
 * @throws TypeError naming the first one missing
 */
export function checkLogger(logger: unknown): void {
  if (logger === undefined) return;
  if (typeof logger !== 'object' || logger === null) throw new TypeError(`[hostgrid] "logger" must be a logger object (e.g. pino()), got ${logger === null ? 'null' : typeof logger}`);
  for (const level of ['debug', 'info', 'warn', 'error'] as const) {
    if (typeof (logger as Record<string, unknown>)[level] !== 'function') throw new TypeError(`[hostgrid] "logger" has no "${level}" method: give a logger with debug, info, warn and error (pino's shape)`);
  }
  const trace = (logger as Record<string, unknown>).trace;
  if (trace !== undefined && typeof trace !== 'function') throw new TypeError(`[hostgrid] "logger.trace" must be a method when given, got ${typeof trace}`);
}

/** @internal Where a grid's `debug` events go. */
export interface DebugEvents {
  listenerCount(event: 'debug'): number;
  emit(event: 'debug', message: string): boolean;
}

/**
 * @internal A grid's log: every message goes to the `logger` at its level (when one was
 * given), and, with `debug` on (and `verbose` for per-call ones), as a `debug` event —
 * or, with no listener and no logger, as a `[hostgrid] …` line on stderr (the output
 * `debug: true` always had). Nothing is written anywhere by default.
 */
export class GridLog {
  readonly #logger: Logger | undefined;
  readonly #events: DebugEvents;
  #debug: boolean;
  #verbose: boolean;

  constructor(events: DebugEvents, options: { readonly logger?: Logger | undefined; readonly debug?: boolean | undefined; readonly verbose?: boolean | undefined }) {
    this.#events = events;
    this.#logger = options.logger;
    this.#debug = options.debug ?? false;
    this.#verbose = options.verbose ?? false;
  }

  get verbose(): boolean {
    return this.#verbose;
  }

  /** Turns `debug` (and per-call `verbose`) messages on or off; the logger's own level is its own. */
  setDebug(debug: boolean, verbose: boolean): void {
    this.#debug = debug;
    this.#verbose = verbose;
  }

  /** Whether per-call messages go anywhere now: checked on every call, so it must be cheap. */
  get calls(): boolean {
    if (this.#debug && this.#verbose) return true;
    const logger = this.#logger;
    return logger?.trace !== undefined && logger.isLevelEnabled?.('trace') !== false;
  }

  /** Logs `message` at `level`, with `fields`. */
  log(level: LogLevel, message: string, fields: LogFields = {}): void {
    const logger = this.#logger;
    if (logger !== undefined) logger[level]?.(fields, message);
    if (!this.#debug || (level === 'trace' && !this.#verbose)) return;
    if (this.#events.listenerCount('debug') > 0) this.#events.emit('debug', message);
    else if (logger === undefined) process.stderr.write(`[hostgrid] ${message}\n`);
  }

  /**
   * A failed call whose result nobody handled: a warning on the logger; with no logger,
   * a line on stderr unless a listener of `unobserved-failure` took it (`listened`).
   * Calls the program's own terminate cut short (`HaltedError`) are no news to it: no warning.
   */
  unobserved(error: unknown, context: ErrorContext, listened: boolean): void {
    if ((error as Error)?.name === 'HaltedError') return;
    const message = String((error as Error)?.message ?? error).replace(/^\[hostgrid\] /, '');
    const where = describeWhere(context);
    const what = where === '' || message.includes(where) ? message : `${where}: ${message}`;
    if (this.#logger !== undefined) {
      this.#logger.warn({ ...context, err: error }, `unobserved failure: ${what} (nothing handled its result)`);
    } else if (!listened) {
      process.stderr.write(`[hostgrid] unobserved failure: ${what} (nothing handled its result; listen to "unobserved-failure" to handle such failures)\n`);
    }
  }
}
