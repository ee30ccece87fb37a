import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runCommand } from './fixtures/run-command.js';
import { tempFolder } from './fixtures/temp-folder.js';

/** The built bin, as `npm create hostgrid` runs it. */
const bin = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
const create = (cwd: string, ...args: string[]) => runCommand(process.execPath, [bin, ...args], { cwd, timeoutMs: 20_000 });

describe('create-hostgrid (the bin)', () => {
  it('writes the project and prints the next steps', async () => {
    await using tmp = await tempFolder();
    const result = await create(tmp.path, 'my-grid');
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout).toContain(`Created my-grid in ${join(tmp.path, 'my-grid')}`);
    expect(result.stdout).toContain('  cd my-grid && npm install && npm start\n');
    expect((await readdir(join(tmp.path, 'my-grid'))).sort()).toEqual(['.gitignore', 'README.md', 'package.json', 'src', 'tsconfig.json']);
  });

  it('needs no cd when the folder is the current one', async () => {
    await using tmp = await tempFolder();
    const here = join(tmp.path, 'here');
    await mkdir(here);
    const result = await create(here, '.');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('\n  npm install && npm start\n');
  });

  it('prints its usage for --help and exits 0', async () => {
    await using tmp = await tempFolder();
    const result = await create(tmp.path, '--help');
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout).toMatch(/^Usage: npm create hostgrid@latest <folder>/);
    expect(await readdir(tmp.path)).toEqual([]);
  });

  it('refuses a folder that is not empty with exit code 1, naming the folder', async () => {
    await using tmp = await tempFolder();
    await mkdir(join(tmp.path, 'taken'));
    await writeFile(join(tmp.path, 'taken', 'keep.txt'), 'mine');
    const result = await create(tmp.path, 'taken');
    expect(result).toMatchObject({ code: 1, stdout: '' });
    expect(result.stderr).toBe(`[create-hostgrid] the folder ${join(tmp.path, 'taken')} is not empty (it holds 1 entries); give a new folder's name, or empty it\n`);
    expect(await readdir(join(tmp.path, 'taken'))).toEqual(['keep.txt']);
  });

  it('refuses a bad name with exit code 1', async () => {
    await using tmp = await tempFolder();
    const result = await create(tmp.path, 'My Grid');
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('[create-hostgrid] cannot name a project "My Grid": it has capital letters; give a folder such as my-grid');
    expect(await readdir(tmp.path)).toEqual([]);
  });

  it.each([
    [[], 'give the folder to create, e.g. npm create hostgrid@latest my-grid'],
    [['--force', 'x'], 'unknown option "--force"'],
    [['a', 'b'], 'give one folder, not 2 ("a", "b")'],
  ])('refuses the arguments %j with exit code 1 and its usage', async (args, message) => {
    await using tmp = await tempFolder();
    const result = await create(tmp.path, ...args);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`[create-hostgrid] ${message}\n\nUsage:`);
    expect(await readdir(tmp.path)).toEqual([]);
  });
});
