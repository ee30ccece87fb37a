import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';

/** The worker runtime's one-file bundle, whose `--connect` mode is the host agent. */
export function workerBundle(): string {
  return createRequire(import.meta.url).resolve('@hostgrid/worker/bundle');
}

/**
 * Runs the host agent of `@hostgrid/worker` (`hostgrid-worker --connect …`) in this
 * process: the bundle reads its arguments from `process.argv` and runs as soon as it is
 * imported. In this process rather than a child, so that signals reach the agent itself,
 * its exit code is this process's, and killing `hostgrid agent` can leave no agent behind.
 * The agent ends the process when it stops.
 *
 * @param workerArgs - `hostgrid-worker` arguments, from `parseAgentArgs`
 */
export async function runAgent(workerArgs: readonly string[]): Promise<void> {
  const bundle = workerBundle();
  process.argv = [process.argv[0] ?? process.execPath, bundle, ...workerArgs];
  await import(pathToFileURL(bundle).href);
}
