import { CallOptions } from './call-options.js';
import { MethodNotFoundError, ProxyReleasedError } from './errors.js';
import type { Result } from './result.js';
import type { Server } from './server.js';

/**
 * A typed handle on one acquired server: each method of `T` becomes a function that
 * sends the call at once and returns a {@link Result}. Calls on one proxy run on its
 * server one after another, in call order. `await using` releases it at scope end.
 */
export type ServiceProxy<T> = {
  readonly [K in keyof T as K extends string ? (T[K] extends (...args: never[]) => unknown ? K : never) : never]: T[K] extends (...args: infer A) => infer R
    ? ((...args: A) => Result<Awaited<R>>) & ((...args: [...A, CallOptions]) => Result<Awaited<R>>)
    : never;
} & AsyncDisposable;

/** What the grid keeps for each proxy it handed out. */
export class ProxyHandle {
  readonly server: Server;
  readonly methods: ReadonlySet<string>;
  released = false;
  #halted: Error | undefined;
  readonly #release: (handle: ProxyHandle) => void;

  constructor(server: Server, methods: ReadonlySet<string>, release: (handle: ProxyHandle) => void) {
    this.server = server;
    this.methods = methods;
    this.#release = release;
  }

  /**
   * Sends one call on the held server.
   *
   * @throws {@link ProxyReleasedError} after release; `SerializationError` when an argument cannot be sent
   */
  call(method: string, args: unknown[]): Result<unknown> {
    if (this.#halted !== undefined) throw this.#halted;
    if (this.released) {
      throw new ProxyReleasedError({
        service: this.server.service,
        method,
        host: this.server.link.host.name,
        message: `"${this.server.service}.${method}" was called on a proxy that was already released; acquire the service again`,
      });
    }
    const last = args[args.length - 1];
    if (last instanceof CallOptions) {
      args.pop();
      return this.server.call(method, args, last.signal);
    }
    return this.server.call(method, args);
  }

  /** The grid or the service was terminated: releases the server, and later calls throw `error`. */
  halt(error: Error): void {
    this.#halted = error;
    this.release();
  }

  /** Releases the server: now if idle, else when its last call ends. Idempotent. */
  release(): void {
    if (this.released) return;
    this.released = true;
    this.#release(this);
  }
}

/** Property names that tools probe on any object (await, inspect, JSON, test matchers): never methods. */
const PROBES = new Set(['then', 'catch', 'finally', 'inspect', 'toJSON', 'asymmetricMatch', 'nodeType', 'tagName', '$$typeof', 'constructor']);

const handles = new WeakMap<object, ProxyHandle>();

/** The handle behind a proxy made by {@link createProxy}, or undefined for anything else. */
export function handleOf(proxy: unknown): ProxyHandle | undefined {
  return typeof proxy === 'object' && proxy !== null ? handles.get(proxy) : undefined;
}

/** Makes the user-facing proxy for a handle. */
export function createProxy<T>(handle: ProxyHandle): ServiceProxy<T> {
  const cache = new Map<string, (...args: unknown[]) => Result<unknown>>();
  const dispose = async (): Promise<void> => handle.release();
  const handler: ProxyHandler<object> = {
    get(_target, property) {
      if (typeof property === 'symbol') return property === Symbol.asyncDispose ? dispose : undefined;
      // Never a method, whatever the worker listed: a proxy must not be taken for a promise.
      if (property === 'then') return undefined;
      let method = cache.get(property);
      if (method !== undefined) return method;
      if (handle.methods.has(property)) {
        method = (...args: unknown[]) => handle.call(property, args);
      } else if (PROBES.has(property) || property in Object.prototype) {
        return undefined;
      } else {
        method = () => {
          throw new MethodNotFoundError({
            service: handle.server.service,
            method: property,
            message: `"${property}" is not a method of service "${handle.server.service}"; its methods are: ${[...handle.methods].join(', ') || '(none)'}`,
          });
        };
      }
      cache.set(property, method);
      return method;
    },
    has(_target, property) {
      return typeof property === 'string' && handle.methods.has(property);
    },
    ownKeys() {
      return [...handle.methods];
    },
    getOwnPropertyDescriptor(_target, property) {
      if (typeof property !== 'string' || !handle.methods.has(property)) return undefined;
      return { configurable: true, enumerable: true, writable: false, value: handler.get!(_target, property, undefined) };
    },
    set() {
      return false;
    },
  };
  const proxy = new Proxy(Object.create(null) as object, handler);
  handles.set(proxy, handle);
  return proxy as ServiceProxy<T>;
}
