import { constants, copyFile, mkdir, readFile, readdir, stat, writeFile } from 'node:fs/promises';
import { basename, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ScaffoldError } from './errors.js';
import { projectNameProblem } from './project-name.js';

/** Template files stored under another name, because npm drops them from tarballs. */
const RENAMED: Readonly<Record<string, string>> = { _gitignore: '.gitignore' };

/** Options of {@link scaffold}. */
export interface ScaffoldOptions {
  /** The folder to create, absolute or relative to `cwd`; it must be missing or empty. Its base name becomes the package name. */
  readonly target: string;
  /** What a relative `target` is relative to. @defaultValue `process.cwd()` */
  readonly cwd?: string;
  /** The template folder. @defaultValue the template shipped in this package (`dist/template`) */
  readonly templateDir?: string;
}

/** What {@link scaffold} wrote. */
export interface ScaffoldResult {
  /** The project folder, absolute. */
  readonly dir: string;
  /** The project's package name. */
  readonly name: string;
  /** The files written, relative to `dir`, sorted. */
  readonly files: readonly string[];
}

/** Absolute path of the template shipped in this package. */
export function templateDir(): string {
  return fileURLToPath(new URL('./template/', import.meta.url));
}

/**
 * Writes a new Hostgrid project into `target`: a service module, a controller, a
 * tsconfig, a package.json named after the folder, a README and a `.gitignore`.
 *
 * @throws {@link ScaffoldError} when the folder's name is not a valid npm package name,
 * when `target` exists and is not an empty folder, or when a file cannot be written
 */
export async function scaffold(options: ScaffoldOptions): Promise<ScaffoldResult> {
  const dir = resolve(options.cwd ?? process.cwd(), options.target);
  const name = basename(dir);
  const problem = projectNameProblem(name);
  if (problem !== undefined) {
    throw new ScaffoldError({ path: dir, message: `cannot name a project "${name}": ${problem}; give a folder such as my-grid` });
  }
  await checkTarget(dir);
  const template = options.templateDir ?? templateDir();
  const files: string[] = [];
  try {
    await mkdir(dir, { recursive: true });
    await copyTree(template, dir, files);
    const manifestPath = join(dir, 'package.json');
    const manifest = JSON.parse(await readFile(manifestPath, 'utf8')) as Record<string, unknown>;
    await writeFile(manifestPath, `${JSON.stringify({ ...manifest, name }, null, 2)}\n`);
  } catch (err) {
    throw new ScaffoldError({ path: dir, message: `could not write the project into ${dir}: ${(err as Error).message}`, cause: err });
  }
  return { dir, name, files: files.map((file) => relative(dir, file)).sort() };
}

/** Refuses anything at `dir` but nothing or an empty folder. */
async function checkTarget(dir: string): Promise<void> {
  const info = await stat(dir).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return undefined;
    throw new ScaffoldError({ path: dir, message: `cannot use ${dir}: ${err.message}`, cause: err });
  });
  if (info === undefined) return;
  if (!info.isDirectory()) throw new ScaffoldError({ path: dir, message: `${dir} exists and is not a folder; give a new folder's name` });
  const entries = await readdir(dir);
  if (entries.length > 0) {
    throw new ScaffoldError({ path: dir, message: `the folder ${dir} is not empty (it holds ${entries.length} entries); give a new folder's name, or empty it` });
  }
}

/** Copies every file under `from` into `to`, renaming the files in {@link RENAMED}. */
async function copyTree(from: string, to: string, written: string[]): Promise<void> {
  for (const entry of await readdir(from, { withFileTypes: true })) {
    const source = join(from, entry.name);
    const destination = join(to, RENAMED[entry.name] ?? entry.name);
    if (entry.isDirectory()) {
      await mkdir(destination, { recursive: true });
      await copyTree(source, destination, written);
    } else if (entry.isFile()) {
      // EXCL: a file that appeared since the emptiness check is never overwritten.
      await copyFile(source, destination, constants.COPYFILE_EXCL);
      written.push(destination);
    }
  }
}
