import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { projectNameProblem } from './project-name.js';
import { scaffold } from './scaffold.js';
import { workspaceVersion } from './fixtures/pack-workspace.js';
import { tempFolder } from './fixtures/temp-folder.js';

/** The template as the build ships it (versions written in), which the bin uses. */
const builtTemplate = fileURLToPath(new URL('../dist/template/', import.meta.url));

const EXPECTED_FILES = ['.gitignore', 'README.md', 'package.json', 'src/controller.ts', 'src/service.ts', 'tsconfig.json'];

describe('scaffold', () => {
  it('writes the service module, the controller, tsconfig, README, .gitignore and a package.json named after the folder', async () => {
    await using tmp = await tempFolder();
    const result = await scaffold({ target: 'my-grid', cwd: tmp.path, templateDir: builtTemplate });
    expect(result.dir).toBe(join(tmp.path, 'my-grid'));
    expect(result.name).toBe('my-grid');
    expect(result.files).toEqual(EXPECTED_FILES);
    expect((await readdir(result.dir, { recursive: true })).sort()).toEqual([...EXPECTED_FILES, 'src'].sort());
    const manifest = JSON.parse(await readFile(join(result.dir, 'package.json'), 'utf8')) as Record<string, Record<string, string>>;
    expect(manifest['name']).toBe('my-grid');
    expect(manifest['scripts']).toMatchObject({ prestart: 'tsc', start: 'node --enable-source-maps dist/controller.js' });
    expect(await readFile(join(result.dir, '.gitignore'), 'utf8')).toContain('node_modules/');
    expect(await readFile(join(result.dir, 'src/service.ts'), 'utf8')).toContain('registerClass(PiSampler, import.meta.url);');
    expect(await readFile(join(result.dir, 'src/controller.ts'), 'utf8')).toContain("import { PiSampler, type Sample } from './service.js';");
  });

  it('depends on the versions of this repository\'s packages, as ^x.y.z ranges', async () => {
    await using tmp = await tempFolder();
    const { dir } = await scaffold({ target: 'ranges', cwd: tmp.path, templateDir: builtTemplate });
    const manifest = JSON.parse(await readFile(join(dir, 'package.json'), 'utf8')) as { dependencies: Record<string, string>; devDependencies: Record<string, string> };
    expect(manifest.dependencies).toEqual({
      '@hostgrid/core': `^${await workspaceVersion('core')}`,
      '@hostgrid/transport-local': `^${await workspaceVersion('transport-local')}`,
    });
    const root = JSON.parse(await readFile(fileURLToPath(new URL('../../../package.json', import.meta.url)), 'utf8')) as { devDependencies: Record<string, string> };
    expect(manifest.devDependencies).toEqual({ typescript: root.devDependencies['typescript'], '@types/node': root.devDependencies['@types/node'] });
  });

  it('writes into an existing empty folder', async () => {
    await using tmp = await tempFolder();
    await mkdir(join(tmp.path, 'empty'));
    const result = await scaffold({ target: 'empty', cwd: tmp.path, templateDir: builtTemplate });
    expect(result.files).toEqual(EXPECTED_FILES);
  });

  it('refuses a folder that is not empty, and leaves it as it was', async () => {
    await using tmp = await tempFolder();
    const dir = join(tmp.path, 'taken');
    await mkdir(dir);
    await writeFile(join(dir, 'notes.txt'), 'mine');
    await expect(scaffold({ target: 'taken', cwd: tmp.path, templateDir: builtTemplate })).rejects.toMatchObject({
      name: 'ScaffoldError',
      path: dir,
      message: `[create-hostgrid] the folder ${dir} is not empty (it holds 1 entries); give a new folder's name, or empty it`,
    });
    expect(await readdir(dir)).toEqual(['notes.txt']);
  });

  it('refuses a target that is a file', async () => {
    await using tmp = await tempFolder();
    await writeFile(join(tmp.path, 'file'), '');
    await expect(scaffold({ target: 'file', cwd: tmp.path, templateDir: builtTemplate })).rejects.toThrow(/exists and is not a folder/);
  });

  it.each([
    ['My-Grid', 'it has capital letters'],
    ['.grid', 'it starts with "." or "_"'],
    ['_grid', 'it starts with "." or "_"'],
    ['my grid', 'npm names take only lowercase letters'],
    ['grid!', 'npm names take only lowercase letters'],
    ['node_modules', 'npm reserves it'],
    ['g'.repeat(215), 'it is longer than 214 characters'],
  ])('refuses the name %j (%s) and writes nothing', async (name, problem) => {
    await using tmp = await tempFolder();
    await expect(scaffold({ target: name, cwd: tmp.path, templateDir: builtTemplate })).rejects.toMatchObject({ name: 'ScaffoldError', message: expect.stringContaining(problem) as unknown });
    expect(await readdir(tmp.path)).toEqual([]);
  });

  it('names the project after the last part of a longer path', async () => {
    await using tmp = await tempFolder();
    const result = await scaffold({ target: join('work', 'grids', 'scan-2'), cwd: tmp.path, templateDir: builtTemplate });
    expect(result).toMatchObject({ dir: join(tmp.path, 'work', 'grids', 'scan-2'), name: 'scan-2' });
  });
});

describe('projectNameProblem', () => {
  it.each(['my-grid', 'grid.v2', 'a~b', 'x', '2026-scan', 'g'.repeat(214)])('accepts %j', (name) => {
    expect(projectNameProblem(name)).toBeUndefined();
  });
});
