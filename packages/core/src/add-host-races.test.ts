import { access, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createWorkerSession } from '@hostgrid/worker';
import { Grid, HaltedError } from '@hostgrid/core';
import { memoryTransport, type MemoryTransport } from '@hostgrid/core/testing';
import { afterEach, describe, expect, it } from 'vitest';

const transports: MemoryTransport[] = [];
const folders: string[] = [];
function transport(): MemoryTransport {
  const made = memoryTransport({ serve: createWorkerSession });
  transports.push(made);
  return made;
}
async function folder(): Promise<string> {
  const made = await mkdtemp(join(tmpdir(), 'hostgrid-add-race-'));
  folders.push(made);
  return made;
}
afterEach(async () => {
  await Promise.all(transports.splice(0).map((t) => t.close()));
  await Promise.all(folders.splice(0).map((f) => rm(f, { recursive: true, force: true })));
});

const exists = (path: string): Promise<boolean> => access(path).then(() => true, () => false);

describe('Grid.addHost, concurrent with other changes', () => {
  it('gives a host that joins while copyFiles runs the files of that copy', async () => {
    const source = await folder();
    // A large file keeps the copy to the first host busy while the new host is staged.
    await writeFile(join(source, 'big.bin'), Buffer.alloc(48 * 1024 * 1024, 7));
    await writeFile(join(source, 'small.txt'), 'hello');
    await using grid = await Grid.start({ hosts: ['first'], transport: transport() });
    const copying = grid.copyFiles(source, ['*']);
    const adding = grid.addHost('late');
    await Promise.all([copying, adding]);
    expect(await exists(join(grid.tempPath('late'), 'small.txt'))).toBe(true);
    expect(await exists(join(grid.tempPath('late'), 'big.bin'))).toBe(true);
  });

  it('a copyFiles started while a host joins copies to it as well', async () => {
    const source = await folder();
    await writeFile(join(source, 'small.txt'), 'hello');
    await using grid = await Grid.start({ hosts: ['first'], transport: transport() });
    const adding = grid.addHost('late');
    // The copy starts while the new host is being staged.
    const copying = new Promise<void>((resolve, reject) => {
      grid.once('staging-progress', () => void grid.copyFiles(source, ['*.txt']).then(() => resolve(), reject));
    });
    await Promise.all([adding, copying]);
    expect(await exists(join(grid.tempPath('late'), 'small.txt'))).toBe(true);
  });

  it('a terminate while a host is staged rejects addHost with HaltedError and removes the temp path made for it', async () => {
    const base = await folder();
    const lateTemp = join(base, 'late');
    const grid = await Grid.start({ hosts: ['first'], transport: transport() });
    let terminating: Promise<void> | undefined;
    grid.on('staging-progress', (event) => {
      if (event.host === 'late' && terminating === undefined) terminating = grid.terminate({ cleanup: true });
    });
    const adding = grid.addHost({ name: 'late', tempPath: lateTemp });
    await expect(adding).rejects.toBeInstanceOf(HaltedError);
    expect(terminating).toBeDefined();
    await terminating;
    expect(await exists(lateTemp)).toBe(false);
  });
});
