/**
 * Event names and the listener each takes, as `GridEvents` (events.ts) lists them.
 * `any[]` rather than `unknown[]`: a listener with typed parameters must be assignable here.
 */
export type EventMap = { [event: string]: (...args: any[]) => void };

/**
 * Node's `EventEmitter` as seen through an event map: every method that takes an event
 * name checks the listener (or the emitted arguments) against that event's signature.
 * Only types: a class gets it by extending `EventEmitter as new () => TypedEventEmitter<E>`.
 */
export interface TypedEventEmitter<Events extends EventMap> {
  addListener<E extends keyof Events>(event: E, listener: Events[E]): this;
  on<E extends keyof Events>(event: E, listener: Events[E]): this;
  once<E extends keyof Events>(event: E, listener: Events[E]): this;
  prependListener<E extends keyof Events>(event: E, listener: Events[E]): this;
  prependOnceListener<E extends keyof Events>(event: E, listener: Events[E]): this;
  off<E extends keyof Events>(event: E, listener: Events[E]): this;
  removeListener<E extends keyof Events>(event: E, listener: Events[E]): this;
  removeAllListeners<E extends keyof Events>(event?: E): this;
  emit<E extends keyof Events>(event: E, ...args: Parameters<Events[E]>): boolean;
  /** Loosely typed, as Node's: listeners may have been added under any name by untyped code. */
  eventNames(): (keyof Events | string | symbol)[];
  listeners<E extends keyof Events>(event: E): Events[E][];
  rawListeners<E extends keyof Events>(event: E): Events[E][];
  listenerCount<E extends keyof Events>(event: E): number;
  getMaxListeners(): number;
  setMaxListeners(maxListeners: number): this;
}
