import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, readdir, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AgentFiles } from './agent-files.js';

const made: string[] = [];
afterEach(async () => {
  for (const path of made.splice(0)) await rm(path, { recursive: true, force: true });
});

async function agentWithRoot(): Promise<{ files: AgentFiles; root: string }> {
  const files = new AgentFiles();
  const root = (await files.handle({ type: 'fs-mktemp', id: 1, prefix: 'hostgrid-agent-test-' })) as string;
  made.push(root);
  return { files, root };
}

async function write(files: AgentFiles, path: string, data: Buffer, sha = createHash('sha256').update(data).digest('hex')): Promise<void> {
  const handle = (await files.handle({ type: 'fs-open', id: 2, path, mode: 0o640 })) as number;
  await files.handle({ type: 'fs-write', id: 3, handle, data: data.subarray(0, 3) });
  await files.handle({ type: 'fs-write', id: 4, handle, data: data.subarray(3) });
  await files.handle({ type: 'fs-commit', id: 5, handle, size: data.length, sha256: sha });
}

describe('the agent\'s file operations', () => {
  it('writes into its temp folder (parents made, mode kept, renamed into place), reads and removes', async () => {
    const { files, root } = await agentWithRoot();
    const path = join(root, 'a', 'b', 'data.txt');
    await write(files, path, Buffer.from('hello world'));
    expect(await readFile(path, 'utf8')).toBe('hello world');
    expect((await stat(path)).mode & 0o777).toBe(0o640);
    expect(await readdir(join(root, 'a', 'b'))).toEqual(['data.txt']);
    expect(Buffer.from((await files.handle({ type: 'fs-read', id: 6, path })) as Uint8Array).toString()).toBe('hello world');
    expect(await files.handle({ type: 'fs-read', id: 7, path: join(root, 'none') })).toBeNull();
    await files.handle({ type: 'fs-remove', id: 8, path: root });
    await expect(stat(root)).rejects.toMatchObject({ code: 'ENOENT' });
    // A removed root holds nothing.
    expect(await files.handle({ type: 'fs-read', id: 9, path })).toBeNull();
  });

  it('keeps nothing of a file whose size or SHA-256 does not match', async () => {
    const { files, root } = await agentWithRoot();
    const path = join(root, 'x.bin');
    await expect(write(files, path, Buffer.from('abcdef'), 'f'.repeat(64))).rejects.toThrow(/arrived damaged: 6 bytes with SHA-256 /);
    expect(await readdir(root)).toEqual([]);
  });

  it('refuses paths outside its temp folders, not normalised, or leading out through a link', async () => {
    const { files, root } = await agentWithRoot();
    const outside = await mkdtemp(join(tmpdir(), 'hostgrid-agent-outside-'));
    made.push(outside);
    await symlink(outside, join(root, 'escape'));
    const refusals: [string, RegExp][] = [
      [join(outside, 'f'), /outside the temp folders/],
      ['/etc/passwd', /outside the temp folders/],
      [`${root}/../${outside.split('/').pop()!}/f`, /not an absolute, normalised path/],
      ['relative/f', /not an absolute, normalised path/],
      [join(root, 'escape', 'f'), /leads outside its temp folder through a link/],
    ];
    for (const [path, message] of refusals) {
      await expect(files.handle({ type: 'fs-open', id: 1, path, mode: 0o644 })).rejects.toThrow(message);
      await expect(files.handle({ type: 'fs-read', id: 1, path })).rejects.toThrow(message);
      await expect(files.handle({ type: 'fs-remove', id: 1, path })).rejects.toThrow(message);
    }
    await expect(files.handle({ type: 'fs-mkdir', id: 1, path: '/' })).rejects.toThrow(/cannot be a temp folder/);
    await expect(files.handle({ type: 'fs-mktemp', id: 1, prefix: '../x' })).rejects.toThrow(/prefix/);
    expect(await readdir(outside)).toEqual([]);
  });

  it('takes a folder the controller names with fs-mkdir as a temp folder of its own', async () => {
    const files = new AgentFiles();
    const base = await mkdtemp(join(tmpdir(), 'hostgrid-agent-given-'));
    made.push(base);
    const given = join(base, 'deep', 'temp');
    expect(await files.handle({ type: 'fs-mkdir', id: 1, path: given })).toBe(true);
    expect(await files.handle({ type: 'fs-mkdir', id: 2, path: given })).toBe(false);
    await write(files, join(given, 'f.txt'), Buffer.from('given'));
    expect(await readFile(join(given, 'f.txt'), 'utf8')).toBe('given');
    await expect(files.handle({ type: 'fs-open', id: 3, path: join(base, 'beside.txt'), mode: 0o644 })).rejects.toThrow(/outside the temp folders/);
    await mkdir(join(base, 'x'));
    await writeFile(join(base, 'x', 'y'), '');
  });
});
