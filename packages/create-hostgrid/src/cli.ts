#!/usr/bin/env node
/**
 * The `create-hostgrid` command, run by `npm create hostgrid@latest <folder>`. Exit
 * codes: 0 written (or `--help`), 1 refused (bad arguments, a bad name, a folder that is
 * not empty) or failed.
 */
import { parseCliArgs, USAGE } from './cli-args.js';
import { nextSteps } from './next-steps.js';
import { scaffold } from './scaffold.js';

const command = parseCliArgs(process.argv.slice(2));
if (command.kind === 'help') {
  process.stdout.write(USAGE);
} else if (command.kind === 'error') {
  process.stderr.write(`[create-hostgrid] ${command.message}\n\n${USAGE}`);
  process.exitCode = 1;
} else {
  try {
    const result = await scaffold({ target: command.target });
    process.stdout.write(nextSteps(result, process.cwd()));
  } catch (err) {
    process.stderr.write(`${(err as Error).name === 'ScaffoldError' ? (err as Error).message : String((err as Error).stack ?? err)}\n`);
    process.exitCode = 1;
  }
}
