/**
 * `npm create hostgrid@latest my-grid`: scaffolds a TypeScript project that publishes a
 * service onto local worker slots and calls it. The same as code:
 *
 * @example
 * ```ts
 * import { scaffold } from 'create-hostgrid';
 *
 * const { dir, files } = await scaffold({ target: 'my-grid' });
 * ```
 *
 * @packageDocumentation
 */
export { scaffold, templateDir, type ScaffoldOptions, type ScaffoldResult } from './scaffold.js';
export { projectNameProblem } from './project-name.js';
export { parseCliArgs, USAGE, type CliCommand } from './cli-args.js';
export { nextSteps } from './next-steps.js';
export { ScaffoldError } from './errors.js';
