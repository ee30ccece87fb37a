import { createRequire, register } from 'node:module';

/**
 * What a staged module gets when it imports `@hostgrid/core` (or `@hostgrid/core/register`)
 * on a host that does not have it: `registerClass`, which does nothing there (the controller already told the
 * worker which class to load). Anything else imported from `@hostgrid/core` fails to
 * link, with Node's own error naming the missing export.
 */
const SHIM = 'export function registerClass() {}\n';

/** A resolve hook that serves {@link SHIM} only when `@hostgrid/core` cannot be found normally. */
const HOOKS = `
const shim = ${JSON.stringify(`data:text/javascript,${encodeURIComponent(SHIM)}`)};
export async function resolve(specifier, context, next) {
  try {
    return await next(specifier, context);
  } catch (error) {
    if ((specifier === '@hostgrid/core' || specifier === '@hostgrid/core/register') && error?.code === 'ERR_MODULE_NOT_FOUND') {
      return { url: shim, shortCircuit: true };
    }
    throw error;
  }
}
`;

let registered = false;

/**
 * Lets the module at `moduleUrl` import `@hostgrid/core` (for `registerClass` beside its
 * class) even where no `node_modules` holds it, as on a host that received only staged
 * files. The resolve hook costs ~30 ms of start-up (a loader thread), so it is
 * registered only once a module is about to load from a place where `@hostgrid/core`
 * does not resolve, and then once per worker.
 */
export function provideHostgridImports(moduleUrl: string): void {
  if (registered || !moduleUrl.startsWith('file:')) return;
  try {
    createRequire(moduleUrl).resolve('@hostgrid/core');
    return;
  } catch {
    // Not resolvable from there: the hook is needed.
  }
  register(`data:text/javascript,${encodeURIComponent(HOOKS)}`);
  registered = true;
}
