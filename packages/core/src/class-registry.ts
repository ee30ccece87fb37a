import { HostgridError } from './errors.js';

/** Where a class can be imported from on a host. */
export interface ClassLocation {
  /** URL (usually `import.meta.url`) of the module that exports the class. */
  readonly module: string;
  /** The class's export name in that module. */
  readonly exportName: string;
}

type Constructor = abstract new (...args: never[]) => unknown;

const registry = new WeakMap<Constructor, ClassLocation>();

/**
 * Tells Hostgrid which module defines a class, so that `grid.publish(instance)` can
 * recreate the instance on every host: the host imports the module, takes the export,
 * and revives an object of that class from the instance's own enumerable properties (its
 * constructor is not run there). Call it beside the class:
 *
 * @example
 * ```ts
 * export class Replica { … }
 * registerClass(Replica, import.meta.url);
 * ```
 *
 * @param Ctor - the class
 * @param moduleUrl - URL or absolute path of the module that exports it; plain `node` must be able to import it (a built `.js` file, not `.ts`)
 * @param exportName - its export name in that module @defaultValue `Ctor.name`
 * @throws TypeError when the arguments are not a class and a module URL
 */
export function registerClass(Ctor: Constructor, moduleUrl: string | URL, exportName: string = Ctor.name): void {
  if (typeof Ctor !== 'function' || typeof Ctor.prototype !== 'object') {
    throw new TypeError('[hostgrid] registerClass needs a class as its first argument');
  }
  const module = String(moduleUrl);
  if (module === '') throw new TypeError(`[hostgrid] registerClass(${Ctor.name}, …) needs the module URL of the class (import.meta.url)`);
  if (exportName === '') throw new TypeError(`[hostgrid] registerClass(${Ctor.name}, …) needs the class's export name`);
  registry.set(Ctor, { module, exportName });
}

/**
 * Where the class of `instance` was registered.
 *
 * @throws {@link HostgridError} naming the class and the `registerClass` call that is missing
 */
export function locateClass(instance: object): ClassLocation & { readonly className: string } {
  const Ctor = (instance as { constructor?: unknown }).constructor;
  const location = typeof Ctor === 'function' ? registry.get(Ctor as Constructor) : undefined;
  if (location === undefined) {
    const name = typeof Ctor === 'function' && Ctor.name !== '' ? Ctor.name : 'this object';
    throw new HostgridError({
      message: `cannot publish an instance of ${name}: its class is not registered; add registerClass(${name === 'this object' ? 'TheClass' : name}, import.meta.url) beside the class, or publish({ module, export, args })`,
    });
  }
  return { ...location, className: (Ctor as Constructor).name || location.exportName };
}
