/**
 * Only `registerClass`: the entry to import in modules that hosts load, so that a worker
 * imports a few hundred lines instead of the whole grid (about 50 ms less per worker at
 * publish). It is the same registry `@hostgrid/core` uses.
 *
 * @example
 * ```ts
 * import { registerClass } from '@hostgrid/core/register';
 * export class Replica { … }
 * registerClass(Replica, import.meta.url);
 * ```
 *
 * @packageDocumentation
 */
export { registerClass, type ClassLocation } from './class-registry.js';
