/** A class as the worker sees it: something `new` works on, with a prototype object. */
export type ServiceClass = abstract new (...args: never[]) => object;

/** The methods a service may be asked to run, by name, each found once when the class is first seen. */
export type MethodTable = ReadonlyMap<string, (...args: unknown[]) => unknown>;

// A name that exists on Object.prototype (`toString`, `hasOwnProperty`, `__proto__`,
// `__defineGetter__`, …) is never callable, even when a class overrides it: a remote
// name must not reach the machinery every object shares.
const OBJECT_NAMES: ReadonlySet<string> = new Set(Object.getOwnPropertyNames(Object.prototype));

const tables = new WeakMap<ServiceClass, MethodTable>();

/**
 * The methods of `cls` that a controller may call: every data property holding a
 * function on the prototype chain from `cls.prototype` up to (not including)
 * `Object.prototype`, except `constructor` and any name that exists on
 * `Object.prototype`. Getters, setters, symbols and the instance's own properties
 * (arrow-function fields) are never callable. The most derived definition wins, as it
 * does for a normal call. Computed once per class.
 */
export function callableMethods(cls: ServiceClass): MethodTable {
  let table = tables.get(cls);
  if (table === undefined) {
    table = collect(cls.prototype as object);
    tables.set(cls, table);
  }
  return table;
}

function collect(prototype: object): MethodTable {
  const table = new Map<string, (...args: unknown[]) => unknown>();
  // Names already seen, callable or not: a getter in a subclass hides a method of the same name above it.
  const seen = new Set<string>();
  for (let p: object | null = prototype; p !== null && p !== Object.prototype; p = Object.getPrototypeOf(p) as object | null) {
    for (const name of Object.getOwnPropertyNames(p)) {
      if (seen.has(name)) continue;
      seen.add(name);
      if (name === 'constructor' || OBJECT_NAMES.has(name)) continue;
      const descriptor = Object.getOwnPropertyDescriptor(p, name);
      if (descriptor !== undefined && 'value' in descriptor && typeof descriptor.value === 'function') {
        table.set(name, descriptor.value as (...args: unknown[]) => unknown);
      }
    }
  }
  return table;
}
