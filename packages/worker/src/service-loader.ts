import { isAbsolute } from 'node:path';
import { pathToFileURL } from 'node:url';
import { isSendable, toWireError, type Construction } from '@hostgrid/protocol';
import type { ServiceClass } from './callable-methods.js';
import { provideHostgridImports } from './hostgrid-imports.js';
import { WorkerFailure } from './worker-failure.js';

/** Imports one module by URL and returns its namespace. The default is the platform's `import()`. */
export type ModuleImporter = (url: string) => Promise<object>;

/**
 * The default {@link ModuleImporter}: Node's own dynamic `import()`, with `@hostgrid/core`
 * provided to modules staged where it is not installed.
 */
export const importModule: ModuleImporter = (url) => {
  provideHostgridImports(url);
  return import(url) as Promise<object>;
};

/** Loads published classes, importing each module once per URL. */
export class ServiceLoader {
  readonly #import: ModuleImporter;
  readonly #modules = new Map<string, Promise<object>>();

  constructor(importer: ModuleImporter) {
    this.#import = importer;
  }

  /**
   * The class exported as `exportName` by `module` (a file URL or an absolute path).
   *
   * @throws {@link WorkerFailure} of kind `load` when the module cannot be imported,
   *   lacks the export, or the export is not a class
   */
  async load(module: string, exportName: string): Promise<ServiceClass> {
    const url = moduleUrl(module, exportName);
    let namespace: object;
    try {
      namespace = await this.#namespace(url);
    } catch (error) {
      throw new WorkerFailure(
        'load',
        `cannot import module "${module}" (for export "${exportName}"): ${messageOf(error)}`,
        toWireError(error, isSendable),
      );
    }
    if (!Object.hasOwn(namespace, exportName)) {
      const names = Object.keys(namespace);
      const has = names.length === 0 ? 'it has no exports' : `it exports ${names.map((n) => `"${n}"`).join(', ')}`;
      throw new WorkerFailure('load', `module "${module}" has no export "${exportName}" (${has})`);
    }
    const value: unknown = (namespace as Record<string, unknown>)[exportName];
    if (!isClass(value)) {
      throw new WorkerFailure('load', `export "${exportName}" of module "${module}" is not a class (it is ${describe(value)})`);
    }
    return value;
  }

  #namespace(url: string): Promise<object> {
    let namespace = this.#modules.get(url);
    if (namespace === undefined) {
      namespace = this.#import(url);
      this.#modules.set(url, namespace);
      // A failed import is forgotten, so that a later `create` can succeed once the file is there.
      namespace.catch(() => {
        if (this.#modules.get(url) === namespace) this.#modules.delete(url);
      });
    }
    return namespace;
  }
}

/**
 * Makes the instance a `create` asks for. `revive` defines each own key of the state
 * as a plain data property, so that no setter of the class runs and a `__proto__` key
 * stays an ordinary own property instead of replacing the prototype.
 *
 * @throws whatever the constructor throws (kind `call`)
 */
export function construct(cls: ServiceClass, construction: Construction): object {
  if (construction.kind === 'new') {
    return Reflect.construct(cls, construction.args) as object;
  }
  const instance = Object.create(cls.prototype as object) as object;
  const state = construction.state;
  for (const key of Object.keys(state)) {
    Object.defineProperty(instance, key, { value: state[key], writable: true, enumerable: true, configurable: true });
  }
  return instance;
}

function moduleUrl(module: string, exportName: string): string {
  if (isAbsolute(module)) return pathToFileURL(module).href;
  if (URL.canParse(module)) return module;
  throw new WorkerFailure(
    'load',
    `cannot import module "${module}" (for export "${exportName}"): the module must be a file URL or an absolute path`,
  );
}

function isClass(value: unknown): value is ServiceClass {
  if (typeof value !== 'function') return false;
  const prototype: unknown = (value as { prototype?: unknown }).prototype;
  return typeof prototype === 'object' && prototype !== null;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'function') return 'a function without a prototype (an arrow function, a method or a bound function)';
  if (typeof value === 'object') return 'an object';
  return `a ${typeof value}`;
}

function messageOf(error: unknown): string {
  return toWireError(error).message;
}
