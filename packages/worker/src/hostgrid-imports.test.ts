import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { WorkerProcess } from './fixtures/worker-process.js';

/** A folder outside the repository, where no node_modules holds @hostgrid/core. */
async function stagedCopy(fixture: string): Promise<{ url: string } & AsyncDisposable> {
  const dir = await mkdtemp(join(tmpdir(), 'hostgrid-staged-'));
  const file = join(dir, fixture);
  await copyFile(new URL(`./fixtures/${fixture}`, import.meta.url), file);
  return { url: pathToFileURL(file).href, [Symbol.asyncDispose]: () => rm(dir, { recursive: true, force: true }) };
}

describe('modules staged on a host without node_modules', () => {
  it('can import registerClass from @hostgrid/core', async () => {
    await using staged = await stagedCopy('uses-core.mjs');
    await using worker = WorkerProcess.start();
    await worker.hello();
    expect(await worker.create('Greeter.1', 'Greeter', staged.url)).toMatchObject({ type: 'created', methods: ['greet'] });
    expect(await worker.call('Greeter.1', 'greet', 'host')).toMatchObject({ type: 'result', value: 'hello host' });
  });

  it('can import registerClass from @hostgrid/core/register', async () => {
    await using staged = await stagedCopy('uses-register.mjs');
    await using worker = WorkerProcess.start();
    await worker.hello();
    expect(await worker.create('Light.1', 'Light', staged.url)).toMatchObject({ type: 'created', methods: ['ping'] });
  });

  it('fail to load, naming the export, when they import what only a controller has', async () => {
    await using staged = await stagedCopy('uses-grid.mjs');
    await using worker = WorkerProcess.start();
    await worker.hello();
    expect(await worker.create('NeedsGrid.1', 'NeedsGrid', staged.url)).toMatchObject({
      type: 'failure',
      kind: 'load',
      error: { message: expect.stringMatching(/does not provide an export named 'Grid'/) },
    });
  });

  it('import the real @hostgrid/core where it is installed', async () => {
    await using worker = WorkerProcess.start();
    await worker.hello();
    const inRepo = new URL('./fixtures/uses-grid.mjs', import.meta.url).href;
    expect(await worker.create('NeedsGrid.1', 'NeedsGrid', inRepo)).toMatchObject({ type: 'created' });
    expect(await worker.call('NeedsGrid.1', 'kind')).toMatchObject({ type: 'result', value: 'function' });
  });
});
