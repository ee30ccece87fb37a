import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseCliArgs, UsageError } from './args.js';
import { batchArgs } from './sbatch.js';
import { runCli } from './fixtures/cli.js';
import { tempDir } from './fixtures/temp-dir.js';

const FLAGS = ['--replicas', '2', '--rounds', '2', '--sweeps', '1', '--size', '4', '--seed', '3'];

/** The pino lines a run wrote to stderr. */
const linesOf = (stderr: string): Array<Record<string, unknown>> => stderr.trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);

describe('the demo\'s grid logger (pino on stderr)', () => {
  it('maps --debug and --verbose to levels, refuses them with --sequential, and passes them to a batch job', () => {
    expect(parseCliArgs([]).logLevel).toBeUndefined();
    expect(parseCliArgs(['--debug']).logLevel).toBe('debug');
    expect(parseCliArgs(['--verbose']).logLevel).toBe('trace');
    expect(parseCliArgs(['--debug', '--verbose']).logLevel).toBe('trace');
    expect(() => parseCliArgs(['--sequential', '--debug'])).toThrow(UsageError);
    expect(batchArgs(parseCliArgs(['--verbose']), '/out')).toContain('--verbose');
  });

  it('with --debug, logs the grid\'s life as JSON lines with fields, and no call', async () => {
    await using out = await tempDir('hostgrid-demo-log-');
    const run = await runCli([...FLAGS, '--debug', '--out', join(out.path, 'run')]);
    expect(run.code).toBe(0);
    const lines = linesOf(run.stderr);
    expect(lines.every((line) => line.name === 'hostgrid' && typeof line.level === 'number')).toBe(true);
    expect(lines).toContainEqual(expect.objectContaining({ level: 20, service: 'Replica.1', msg: expect.stringMatching(/^published Replica\.1 on 2 servers/) }));
    expect(lines.some((line) => line.level === 10)).toBe(false);
  });

  it('with --verbose, logs every call at trace with its service, method, host and slot', async () => {
    await using out = await tempDir('hostgrid-demo-log-');
    const run = await runCli([...FLAGS, '--verbose', '--out', join(out.path, 'run')]);
    expect(run.code).toBe(0);
    expect(linesOf(run.stderr)).toContainEqual(expect.objectContaining({ level: 10, service: 'Replica.1', method: expect.any(String), host: 'local', slot: expect.any(Number), msg: expect.stringMatching(/^call Replica\.1\./) }));
  });
});
