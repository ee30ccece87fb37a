import { describe, expect, it } from 'vitest';
import { parseCliArgs } from './cli-args.js';

describe('parseCliArgs', () => {
  it('reads --fd <n>, --fd=<n>, --stdio and --help', () => {
    expect(parseCliArgs(['--fd', '3'])).toEqual({ kind: 'fd', fd: 3 });
    expect(parseCliArgs(['--fd=4'])).toEqual({ kind: 'fd', fd: 4 });
    expect(parseCliArgs(['--stdio'])).toEqual({ kind: 'stdio' });
    expect(parseCliArgs(['--help'])).toEqual({ kind: 'help' });
    expect(parseCliArgs(['--stdio', '-h'])).toEqual({ kind: 'help' });
  });

  it('refuses anything else with one message', () => {
    expect(parseCliArgs([])).toEqual({ kind: 'error', message: 'give --fd <n>, --stdio or --connect <url>' });
    expect(parseCliArgs(['--fd'])).toEqual({ kind: 'error', message: '--fd needs a file descriptor number' });
    expect(parseCliArgs(['--fd', '-1'])).toEqual({ kind: 'error', message: '--fd needs a file descriptor number' });
    expect(parseCliArgs(['--fd', '3', '--stdio'])).toEqual({ kind: 'error', message: 'give one of --fd <n>, --stdio and --connect <url>, once' });
    expect(parseCliArgs(['3'])).toEqual({ kind: 'error', message: 'unknown argument "3"' });
  });
});
