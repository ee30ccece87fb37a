import { createRequire } from 'node:module';

let cached: string | undefined;

/**
 * Absolute path of the bundled worker runtime (`@hostgrid/worker`'s one-file
 * `hostgrid-worker.js`). Only its path is resolved here; core never imports the worker.
 *
 * @throws Error when `@hostgrid/worker` is not installed beside `@hostgrid/core`
 */
export function bundledWorkerEntry(): string {
  cached ??= createRequire(import.meta.url).resolve('@hostgrid/worker/bundle');
  return cached;
}
