import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Grid } from '@hostgrid/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sgeTransport } from './sge-transport.js';

/** What needs no SGE: refusals before qrsh runs, and where temp folders go. (The rest runs inside a real job: conformance.test.ts.) */
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'hostgrid-sge-transport-test-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('sgeTransport outside a job', () => {
  it('refuses to start a worker when this process is not inside an SGE job', async () => {
    await expect(Grid.start({ hosts: ['node01'], transport: sgeTransport({ env: {}, tempDir: dir }) })).rejects.toMatchObject({
      name: 'SgeJobError',
      host: 'node01',
      message: expect.stringMatching(/qrsh worker for host "node01" slot 0 could not start: not inside an SGE job \(JOB_ID is not set\)/),
    });
  });

  it('refuses a negative or NaN detachAfterMs with a RangeError naming it', () => {
    for (const detachAfterMs of [-1, Number.NaN]) {
      expect(() => sgeTransport({ tempDir: dir, detachAfterMs })).toThrow(new RangeError(`[hostgrid] sgeTransport: "detachAfterMs" must be a number of ms >= 0, got ${detachAfterMs}`));
    }
  });

  it('says so when qrsh cannot be run', async () => {
    await expect(Grid.start({ hosts: ['node01'], transport: sgeTransport({ env: { JOB_ID: '5' }, qrsh: join(dir, 'no-qrsh'), tempDir: dir }) })).rejects.toMatchObject({
      name: 'SgeJobError',
      message: expect.stringMatching(/could not start: cannot run ".*no-qrsh" \(is SGE's client installed and on PATH\?\)/),
    });
  });

  it('makes temp folders in tempDir, on the file system the hosts share with this machine', async () => {
    const files = sgeTransport({ tempDir: dir }).files({ name: 'node01', slots: 1, niceness: 0, env: {} });
    expect(files.sharesControllerFileSystem).toBe(true);
    const made = await files.makeTempDir('hostgrid-');
    expect(made.startsWith(join(dir, 'hostgrid-'))).toBe(true);
    expect((await stat(made)).isDirectory()).toBe(true);
    await expect(sgeTransport({ tempDir: join(dir, 'missing') }).files({ name: 'node01', slots: 1, niceness: 0, env: {} }).makeTempDir('hostgrid-')).rejects.toThrow(
      /cannot make a temp folder in ".*missing" on host "node01": ENOENT/,
    );
  });
});
