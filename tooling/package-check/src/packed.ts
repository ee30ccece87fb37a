import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { WorkspacePackage } from './workspace.js';

const run = promisify(execFile);

/** A package as `npm pack` made it, unpacked into a temp folder that disposing removes. */
export interface PackedPackage extends AsyncDisposable {
  /** The unpacked tarball's root (its `package/` folder). */
  readonly root: string;
  /** The tarball's file paths, relative to `root`, with `/`, sorted. */
  readonly files: readonly string[];
  /** The tarball's size, in bytes. */
  readonly size: number;
  /** Reads a file of the tarball as text. */
  read(path: string): Promise<string>;
}

interface PackReport {
  readonly filename: string;
  readonly size: number;
  readonly files: ReadonlyArray<{ readonly path: string }>;
}

/**
 * Packs a workspace package with `npm pack`, exactly what `npm publish` would upload
 * (its `files`, npm's always-included files, its lifecycle scripts), and unpacks it.
 *
 * @throws Error when npm or tar fails; the temp folder is removed then too
 */
export async function packPackage(pkg: WorkspacePackage): Promise<PackedPackage> {
  const dir = await mkdtemp(join(tmpdir(), 'hostgrid-pack-'));
  const dispose = () => rm(dir, { recursive: true, force: true });
  try {
    const { stdout } = await run('npm', ['pack', '--json', '--pack-destination', dir], { cwd: pkg.dir, maxBuffer: 16 * 1024 * 1024 });
    const [report] = JSON.parse(stdout) as PackReport[];
    if (report === undefined) throw new Error(`[package-check] npm pack printed no report for ${pkg.manifest.name}`);
    await run('tar', ['-xzf', join(dir, report.filename), '-C', dir]);
    const root = join(dir, 'package');
    return {
      root,
      files: report.files.map((file) => file.path).sort(),
      size: report.size,
      read: (path) => readFile(join(root, path), 'utf8'),
      [Symbol.asyncDispose]: dispose,
    };
  } catch (error) {
    await dispose();
    throw error;
  }
}
