import type { Logger } from '@hostgrid/core';
import { pino } from 'pino';

/**
 * The demo's grid logger: pino, one JSON line per message on stderr (stdout carries the
 * run's own output), written synchronously so that nothing is lost when the demo exits.
 * `warn` shows lost workers, restarts given up and unobserved failures; `debug` (`--debug`)
 * the grid's life as well; `trace` (`--verbose`) every call too.
 */
export function gridLogger(level: 'warn' | 'debug' | 'trace'): Logger {
  return pino({ name: 'hostgrid', level }, pino.destination({ dest: 2, sync: true }));
}
