import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Grid } from '@hostgrid/core';
import { describe, expect, it } from 'vitest';
import { localTransport } from './local-transport.js';

const ONE_FILE = fileURLToPath(new URL('./fixtures/one-file.mjs', import.meta.url));
const NESTING = new URL('./fixtures/nesting.mjs', import.meta.url);

describe('Grid.start inside a worker', () => {
  it('is refused in the workers that import a service module which also starts the grid, naming the fix, instead of starting workers without end', async () => {
    const outcome = await promisify(execFile)(process.execPath, [ONE_FILE], { timeout: 25_000, killSignal: 'SIGKILL' }).then(
      () => ({ code: 0, stdout: '', stderr: '' }),
      (error: { code?: number; stdout: string; stderr: string }) => error,
    );
    expect(outcome.code).toBe(1);
    expect(outcome.stdout).toBe('');
    expect(outcome.stderr).toContain('LoadError');
    expect(outcome.stderr).toContain('NestedGridError');
    expect(outcome.stderr).toContain('Grid.start was called inside a Hostgrid worker');
    expect(outcome.stderr).toContain('Put the class in a module of its own');
  });

  it('is refused from a service method too, and allowed there with allowInWorker; a plain terminate() removes the inner temp folder', async () => {
    await using grid = await Grid.start({ hosts: ['outer'], transport: localTransport() });
    const id = await grid.publish({ module: NESTING, export: 'Nester' });
    await expect(grid.call(id, 'inner', [false])).rejects.toMatchObject({ name: 'RemoteError', remoteName: 'NestedGridError' });
    const { tempPath, pid } = (await grid.call(id, 'inner', [true])) as { tempPath: string; pid: number };
    expect(pid).toBeGreaterThan(0);
    expect(existsSync(tempPath)).toBe(false);
  });
});
