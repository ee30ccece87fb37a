import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readdir, readFile, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, posix } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { Grid } from '../grid.js';
import type { HostSpec } from '../host-spec.js';
import type { Transport } from '../transport.js';
import type { ConformanceOptions } from './conformance.js';

interface WhereService {
  where(): { url: string; cwd: string; tag: string };
  read(relative: string): string;
  mode(relative: string): number;
}

/** Plain-JS modules for staging tests; they import `@hostgrid/core` by name, as user code does. */
const STAGED_SERVICES = fileURLToPath(new URL('../../testing-services/', import.meta.url));

/** A folder of this machine, removed with everything in it at scope end. */
async function scratch(prefix: string): Promise<{ root: string } & AsyncDisposable> {
  const root = await mkdtemp(join(tmpdir(), prefix));
  return { root, [Symbol.asyncDispose]: () => rm(root, { recursive: true, force: true }) };
}

/** A source tree to stage: the seed's `data/*.txt` example, an executable, and a file no pattern takes. */
async function sourceTree(): Promise<{ root: string } & AsyncDisposable> {
  const tree = await scratch('hostgrid-source-');
  const { root } = tree;
  await mkdir(join(root, 'data', 'a', 'b'), { recursive: true });
  await mkdir(join(root, 'other'));
  await writeFile(join(root, 'data', 'x.txt'), 'x1');
  await writeFile(join(root, 'data', 'a', 'b', 'y.txt'), 'y1');
  await writeFile(join(root, 'other', 'x.txt'), 'not selected');
  await writeFile(join(root, 'run.sh'), '#!/bin/sh\necho ok\n');
  await chmod(join(root, 'run.sh'), 0o755);
  return tree;
}

/** `count` files of 64 KiB each (`f<i>.bin`), each of its own content: a copy that takes a while. */
async function manyFiles(count: number): Promise<{ root: string } & AsyncDisposable> {
  const tree = await scratch('hostgrid-many-');
  for (let i = 0; i < count; i++) await writeFile(join(tree.root, `f${i}.bin`), Buffer.alloc(64 * 1024, i));
  return tree;
}

/** The hosts, each with its own configured temp path. */
function withTempPaths(hosts: ReadonlyArray<string | HostSpec>, tempPath: (name: string) => string): Array<HostSpec & { tempPath: string }> {
  return hosts.map((host) => {
    const spec = typeof host === 'string' ? { name: host } : host;
    return { ...spec, tempPath: tempPath(spec.name) };
  });
}

/**
 * File staging as every transport whose workers are real processes must do it: the
 * seed's selection rules, content-hash re-copies, modes, publishing from a staged module
 * on a host where `@hostgrid/core` is not installed, the worker's working directory, and
 * `terminate({ cleanup: true })`, also during a copy; and no write through a link planted
 * in a temp path or a temp path moved under the grid. (The in-memory transport cannot run
 * it: its workers share this process's working directory and module resolution.)
 *
 * The link and terminate tests plant links and look at folders with this machine's
 * `node:fs`: the hosts must see this machine's files at the same paths, as every host of
 * the test bed does (local, SSH and SLURM hosts in network namespaces, WebSocket agents,
 * SGE).
 */
export function describeStagingConformance<T extends Transport>(name: string, options: ConformanceOptions<T>): void {
  const totalSlots = options.hosts.reduce((n, host) => n + (typeof host === 'string' ? 1 : (host.slots ?? 1)), 0);

  async function startGrid(hosts: ReadonlyArray<string | HostSpec> = options.hosts): Promise<{ grid: Grid; transport: T } & AsyncDisposable> {
    const transport = await options.transport();
    const grid = await Grid.start({ ...options.gridOptions, hosts, transport });
    return { grid, transport, [Symbol.asyncDispose]: () => grid.terminate({ cleanup: true }) };
  }

  describe(`staging conformance: ${name}`, () => {
    it('copies files with the seed\'s rules to every host, keeping paths and modes, and sends again only what changed', async () => {
      await using source = await sourceTree();
      await using g = await startGrid();
      const patterns = ['data/*.txt', 'run.sh', 'nothing/*.md'];
      const first = await g.grid.copyFiles(source.root, patterns);
      expect(first).toMatchObject({ files: 3, unmatched: ['nothing/*.md'] });
      expect(first.hosts.map((host) => host.host)).toEqual(g.grid.hosts.map((host) => host.name));
      for (const host of first.hosts.filter((h) => h.sharedWith === undefined)) expect(host).toMatchObject({ filesSent: 3, bytesSent: 4 + 18, filesUnchanged: 0 });
      for (const spec of g.grid.hosts) {
        const files = g.transport.files(spec);
        const tempPath = first.hosts.find((h) => h.host === spec.name)!.tempPath;
        expect(Buffer.from((await files.readFile(posix.join(tempPath, 'data/a/b/y.txt')))!).toString()).toBe('y1');
        expect(await files.readFile(posix.join(tempPath, 'other/x.txt'))).toBeUndefined();
      }
      await g.grid.copyFiles(STAGED_SERVICES, ['where.mjs']);
      const whereId = await g.grid.publish({ module: pathToFileURL(join(STAGED_SERVICES, 'where.mjs')), export: 'Where' });
      const modes = await g.grid.gather(g.grid.broadcast<number>(whereId, 'mode', 'run.sh'));
      expect(modes).toEqual(Array(totalSlots).fill(0o755));
      expect(await g.grid.gather(g.grid.broadcast<string>(whereId, 'read', 'data/x.txt'))).toEqual(Array(totalSlots).fill('x1'));

      const again = await g.grid.copyFiles(source.root, patterns);
      for (const host of again.hosts) expect(host).toMatchObject({ filesSent: 0, bytesSent: 0, filesUnchanged: 3 });

      await writeFile(join(source.root, 'data', 'x.txt'), 'x2, longer');
      await chmod(join(source.root, 'data', 'a', 'b', 'y.txt'), 0o600);
      const changed = await g.grid.copyFiles(source.root, patterns);
      for (const host of changed.hosts.filter((h) => h.sharedWith === undefined)) expect(host).toMatchObject({ filesSent: 2, filesUnchanged: 1 });
      expect(await g.grid.gather(g.grid.broadcast<string>(whereId, 'read', 'data/x.txt'))).toEqual(Array(totalSlots).fill('x2, longer'));
      expect(await g.grid.gather(g.grid.broadcast<number>(whereId, 'mode', 'data/a/b/y.txt'))).toEqual(Array(totalSlots).fill(0o600));
    });

    it('publishes from the staged copy of a module, which may import @hostgrid/core where it is not installed', async () => {
      await using g = await startGrid();
      const report = await g.grid.copyFiles(STAGED_SERVICES, ['where.mjs']);
      const { Where } = (await import(pathToFileURL(join(STAGED_SERVICES, 'where.mjs')).href)) as { Where: new (tag: string) => object };
      const id = await g.grid.publish(new Where('revived'));
      const seen = await g.grid.gather(g.grid.broadcast<ReturnType<WhereService['where']>>(id, 'where'));
      const servers = g.grid.servers(id);
      seen.forEach((where, i) => {
        const tempPath = report.hosts.find((host) => host.host === servers[i]!.host)!.tempPath;
        expect(where).toEqual({ url: pathToFileURL(posix.join(tempPath, 'where.mjs')).href, cwd: tempPath, tag: 'revived' });
      });
    });

    it('terminate() removes the temp folders the grid made', async () => {
      const g = await startGrid();
      const report = await g.grid.copyFiles(STAGED_SERVICES, ['where.mjs']);
      await g.grid.terminate();
      const after = await options.transport();
      try {
        for (const host of g.grid.hosts) {
          const tempPath = report.hosts.find((h) => h.host === host.name)!.tempPath;
          expect(await after.files(host).readFile(posix.join(tempPath, 'where.mjs'))).toBeUndefined();
        }
      } finally {
        await after.close();
      }
    });

    it('refuses to write through a link planted in a configured temp path (a file, a folder, a dangling one), naming host and path, and writes nothing outside', async () => {
      await using source = await sourceTree();
      await using dir = await scratch('hostgrid-linked-');
      const outside = join(dir.root, 'outside');
      await mkdir(outside);
      await writeFile(join(outside, 'run.sh'), 'untouched');
      const hosts = withTempPaths(options.hosts, (host) => join(dir.root, host));
      for (const host of hosts) {
        await mkdir(host.tempPath);
        await symlink(outside, join(host.tempPath, 'data'));
        await symlink(join(outside, 'run.sh'), join(host.tempPath, 'run.sh'));
        await symlink(join(outside, 'none'), join(host.tempPath, 'other'));
      }
      await using g = await startGrid(hosts);
      for (const host of hosts) {
        const refused = (path: unknown): object => ({ name: 'StagingError', host: host.name, path, message: expect.stringContaining(`host "${host.name}"`) });
        await expect(g.grid.copyFiles(source.root, ['data/*.txt'], { hosts: [host.name] })).rejects.toMatchObject(refused(expect.stringMatching(/^data\//)));
        await expect(g.grid.copyFiles(source.root, ['run.sh'], { hosts: [host.name] })).rejects.toMatchObject(refused('run.sh'));
        // A link that leads nowhere yet: following it would make the folder outside.
        await expect(g.grid.copyFiles(source.root, ['other/*.txt'], { hosts: [host.name] })).rejects.toMatchObject(refused('other/x.txt'));
      }
      expect(await readdir(outside)).toEqual(['run.sh']);
      expect(await readFile(join(outside, 'run.sh'), 'utf8')).toBe('untouched');
    });

    it('refuses to write into a temp path once a folder above it was swapped for a link, and cleanup leaves where the link leads', async () => {
      await using source = await sourceTree();
      await using dir = await scratch('hostgrid-swapped-');
      const hosts = withTempPaths(options.hosts, (host) => join(dir.root, 'p', host));
      const g = await startGrid(hosts);
      try {
        const elsewhere = join(dir.root, 'elsewhere');
        for (const host of hosts) {
          await mkdir(join(elsewhere, host.name), { recursive: true });
          await writeFile(join(elsewhere, host.name, 'keep'), '');
        }
        await rename(join(dir.root, 'p'), join(dir.root, 'p-was'));
        await symlink(elsewhere, join(dir.root, 'p'));
        for (const host of hosts) {
          await expect(g.grid.copyFiles(source.root, ['data/*.txt', 'run.sh'], { hosts: [host.name] })).rejects.toMatchObject({ name: 'StagingError', host: host.name });
        }
        // The grid made these temp paths, so cleanup would remove them: not through the link.
        await expect(g.grid.terminate({ cleanup: true })).rejects.toMatchObject({ name: 'StagingError' });
        for (const host of hosts) expect(await readdir(join(elsewhere, host.name))).toEqual(['keep']);
      } finally {
        await g.grid.terminate({ cleanup: true }).catch(() => undefined);
      }
    });

    it('terminate({ cleanup: true }) during a copyFiles stops it with HaltedError, and leaves no temp folder', async () => {
      await using source = await manyFiles(200);
      const g = await startGrid();
      const tempPaths = g.grid.hosts.map((host) => g.grid.tempPath(host.name));
      let terminated: Promise<void> | undefined;
      g.grid.on('staging-progress', (progress) => {
        // Surely mid-copy: a file is in, most are still to come.
        if (terminated === undefined && progress.filesDone >= 1 && progress.filesDone < progress.filesTotal) terminated = g.grid.terminate({ cleanup: true });
      });
      try {
        await expect(g.grid.copyFiles(source.root, ['*.bin'])).rejects.toMatchObject({ name: 'HaltedError' });
        expect(terminated).toBeDefined();
        await terminated;
      } finally {
        await g.grid.terminate({ cleanup: true });
      }
      for (const path of tempPaths) expect(existsSync(path), path).toBe(false);
    });
  });
}
