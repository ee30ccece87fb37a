import { fileURLToPath } from 'node:url';

/**
 * Absolute path of the bundled worker runtime, `dist/hostgrid-worker.js`: one
 * self-contained file with no dependencies, ready to be run with `node` or staged
 * onto a host. It exists once the package is built. Also reachable as the package
 * subpath `@hostgrid/worker/bundle` (e.g. `createRequire(import.meta.url).resolve(...)`).
 */
export function workerBundlePath(): string {
  // `..` then `dist`: correct both from the built `dist/` and from `src/` under a test runner.
  return fileURLToPath(new URL('../dist/hostgrid-worker.js', import.meta.url));
}
