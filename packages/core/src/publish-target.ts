import { isAbsolute } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Construction } from '@hostgrid/protocol';
import type { ClassLocation } from './class-registry.js';

/** Publish by construction: each host imports `module` and runs `new (its export)(...args)`. */
export interface PublishSpec {
  /** URL or absolute path of the module, e.g. `new URL('./replica.js', import.meta.url)`. */
  readonly module: string | URL;
  /** The class's export name. @defaultValue `"default"` */
  readonly export?: string;
  /** Constructor arguments, sent to every host. @defaultValue `[]` */
  readonly args?: readonly unknown[];
}

/** What a `create` message needs, and the name the service id starts with. */
export interface PublishPlan {
  readonly className: string;
  readonly create: { readonly module: string; readonly exportName: string; readonly construction: Construction };
}

function isPublishSpec(target: object): target is PublishSpec {
  const proto: unknown = Object.getPrototypeOf(target);
  return (proto === Object.prototype || proto === null) && 'module' in target;
}

function moduleUrl(module: string | URL): string {
  if (module instanceof URL) return module.href;
  if (typeof module !== 'string' || module === '') throw new TypeError('[hostgrid] publish({ module }) needs a module URL or absolute path');
  if (/^[a-z][a-z0-9+.-]*:/i.test(module) && !/^[a-z]:[\\/]/i.test(module)) return module;
  if (!isAbsolute(module)) {
    throw new TypeError(`[hostgrid] publish({ module: "${module}" }): give a URL or an absolute path, e.g. new URL('${module}', import.meta.url)`);
  }
  return pathToFileURL(module).href;
}

/** A default export has no name of its own: name its services after the module file. */
function defaultExportName(url: string): string {
  const file = new URL(url).pathname.split('/').pop() ?? '';
  return file.replace(/\.[^.]*$/, '') || 'default';
}

/**
 * Works out how hosts will make their copy of a published object.
 *
 * @throws TypeError for a malformed spec; `HostgridError` (from `locate`) for an instance of an unregistered class
 */
export function publishTarget(target: object | PublishSpec, locate: (instance: object) => ClassLocation & { readonly className: string }): PublishPlan {
  if (typeof target !== 'object' || target === null) throw new TypeError('[hostgrid] publish needs an object: an instance of a registered class, or { module, export, args }');
  if (isPublishSpec(target)) {
    const exportName = target.export ?? 'default';
    if (typeof exportName !== 'string' || exportName === '') throw new TypeError('[hostgrid] publish({ export }) must be a non-empty string');
    const args = target.args ?? [];
    if (!Array.isArray(args)) throw new TypeError('[hostgrid] publish({ args }) must be an array');
    const url = moduleUrl(target.module);
    return { className: exportName === 'default' ? defaultExportName(url) : exportName, create: { module: url, exportName, construction: { kind: 'new', args } } };
  }
  const { module, exportName, className } = locate(target);
  const state: Record<string, unknown> = {};
  for (const key of Object.keys(target)) state[key] = (target as Record<string, unknown>)[key];
  return { className, create: { module: moduleUrl(module), exportName, construction: { kind: 'revive', state } } };
}
