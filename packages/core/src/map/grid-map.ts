import { mapSettings, type MapOptions, type MapResults } from './map-options.js';
import { knownLength } from './map-progress.js';
import { MapRun, type MapContext } from './map-run.js';

/** What `grid.map` hands over: the map's context, and how the grid checks arguments before sending. */
export interface MapStart extends MapContext {
  /** @throws `SerializationError` naming `what` when `args` cannot be sent */
  assertSendable(args: readonly unknown[], what: string): void;
  /** Retries the service's policy gives the method. */
  readonly defaultRetries: number;
}

/**
 * Checks a map's input and options, and makes the map (which sends nothing before it is
 * iterated). An array input is checked item by item here, so that an item that cannot
 * be sent fails the map before anything runs; a lazy input's items are checked as they
 * are read.
 *
 * @throws TypeError for an input that is not iterable or a bad option; `SerializationError` naming the array item
 */
export function startMap<T>(start: MapStart, inputs: Iterable<unknown> | AsyncIterable<unknown>, options: MapOptions): MapResults<T> {
  const { service, method } = start;
  const iterable = inputs as Partial<Iterable<unknown> & AsyncIterable<unknown>> | null | undefined;
  if (typeof iterable?.[Symbol.iterator] !== 'function' && typeof iterable?.[Symbol.asyncIterator] !== 'function') {
    throw new TypeError(`[hostgrid] map("${service}", "${method}", inputs): inputs must be an iterable or an async iterable, got ${inputs === null ? 'null' : typeof inputs}`);
  }
  const settings = mapSettings(options, start.servers, start.defaultRetries);
  if (Array.isArray(inputs)) {
    if (settings.chunk > 1) {
      for (let i = 0; i < inputs.length; i += settings.chunk) start.assertSendable([inputs.slice(i, i + settings.chunk)], `map items ${i}–${Math.min(inputs.length, i + settings.chunk) - 1}`);
    } else {
      inputs.forEach((item: unknown, i) => {
        if (settings.spread && !Array.isArray(item)) throw new TypeError(`[hostgrid] map("${service}", "${method}", inputs, { spread: true }): item ${i} is not an argument array`);
        start.assertSendable(settings.spread ? (item as unknown[]) : [item], `map item ${i}`);
      });
    }
  }
  return new MapRun<T>(start, inputs, settings, knownLength(inputs));
}
