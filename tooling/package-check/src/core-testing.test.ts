import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installAlone, type AloneInstall } from './install-alone.js';
import { workspacePackages } from './workspace.js';

const run = promisify(execFile);

/** Runs an ES module body with `cwd` as its folder, so that it imports from `cwd`'s node_modules. */
function runModule(cwd: string, body: string): Promise<{ stdout: string; stderr: string }> {
  return run(process.execPath, ['--input-type=module', '-e', body], { cwd });
}

const IN_MEMORY_GRID = `
import { Grid } from '@hostgrid/core';
import { memoryTransport, Recorder } from '@hostgrid/core/testing';
import { createWorkerSession } from '@hostgrid/worker';
const grid = await Grid.start({ hosts: [{ name: 'mem', slots: 1 }], transport: memoryTransport({ serve: createWorkerSession }) });
try {
  const proxy = await grid.acquireService(await grid.publish(new Recorder('alone')));
  console.log(JSON.stringify(await proxy.echo('installed alone')));
} finally {
  await grid.terminate({ cleanup: true });
}
`;

describe('@hostgrid/core/testing installed from its tarball, without vitest', () => {
  let install: AloneInstall;
  beforeAll(async () => {
    const names = ['@hostgrid/core', '@hostgrid/protocol', '@hostgrid/staging', '@hostgrid/worker'];
    install = await installAlone(workspacePackages().filter((pkg) => names.includes(pkg.manifest.name)));
  });
  afterAll(async () => {
    await install?.[Symbol.asyncDispose]();
  });

  it('runs a grid on the in-memory transport, publishing its Recorder', async () => {
    const { stdout } = await runModule(install.dir, IN_MEMORY_GRID);
    expect(JSON.parse(stdout)).toBe('installed alone');
  });

  it('keeps the conformance suites, which need vitest, on @hostgrid/core/testing/conformance', async () => {
    await expect(runModule(install.dir, `await import('@hostgrid/core/testing/conformance');`)).rejects.toMatchObject({
      stderr: expect.stringMatching(/Cannot find package 'vitest' imported from .*conformance\.js/),
    });
  });
});
