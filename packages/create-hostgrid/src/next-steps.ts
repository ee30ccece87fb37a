import { relative } from 'node:path';
import type { ScaffoldResult } from './scaffold.js';

/**
 * What to run once the project is written, as the bin prints it.
 *
 * @param result - what {@link scaffold} wrote
 * @param cwd - the folder the command ran in, which the `cd` is relative to
 */
export function nextSteps(result: ScaffoldResult, cwd: string): string {
  const where = relative(cwd, result.dir);
  const cd = where === '' ? '' : `cd ${/^[\w./-]+$/.test(where) ? where : JSON.stringify(where)} && `;
  return `Created ${result.name} in ${result.dir}:
${result.files.map((file) => `  ${file}`).join('\n')}

Next:
  ${cd}npm install && npm start

Put your computation in src/service.ts; src/controller.ts chooses the hosts and makes the calls.
`;
}
