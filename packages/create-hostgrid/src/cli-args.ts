/** What the command line asks `create-hostgrid` to do. */
export type CliCommand =
  | { readonly kind: 'create'; readonly target: string }
  | { readonly kind: 'help' }
  | { readonly kind: 'error'; readonly message: string };

/** `create-hostgrid --help`. */
export const USAGE = `Usage: npm create hostgrid@latest <folder>
       create-hostgrid <folder>

Writes a new Hostgrid project into <folder> (which must be missing or empty; its name
becomes the package name): a service module (src/service.ts), a controller that runs
it on local worker slots (src/controller.ts), a tsconfig, a package.json and a README.

  --help, -h   print this help

Then: cd <folder> && npm install && npm start
`;

/** Reads `create-hostgrid`'s arguments (without `node` and the script). Never throws. */
export function parseCliArgs(args: readonly string[]): CliCommand {
  if (args.includes('--help') || args.includes('-h')) return { kind: 'help' };
  const unknown = args.find((arg) => arg.startsWith('-'));
  if (unknown !== undefined) return { kind: 'error', message: `unknown option ${JSON.stringify(unknown)}` };
  if (args.length === 0) return { kind: 'error', message: 'give the folder to create, e.g. npm create hostgrid@latest my-grid' };
  if (args.length > 1) return { kind: 'error', message: `give one folder, not ${args.length} (${args.map((arg) => JSON.stringify(arg)).join(', ')})` };
  return { kind: 'create', target: args[0]! };
}
