/**
 * Hostgrid's file staging: which files to copy (the seed's `copy_files` rules, with
 * fast-glob), what a host holds (manifests of sizes, modes and SHA-256 hashes), what to
 * send (a plan), and the path checks that keep every write inside a host's temp path.
 * It knows nothing of hosts or transports: the grid reads and writes the files.
 *
 * @example
 * ```ts
 * import { selectFiles, buildManifest, parseManifest, planCopy, resolveInside, HashCache } from '@hostgrid/staging';
 *
 * const cache = new HashCache();
 * const selection = await selectFiles(srcPath, ['*.pyc', '*.so', 'data/*.txt'], { exclude: ['cns/', '.svn'] });
 * const local = await buildManifest(selection, cache);
 * const remote = parseManifest((await host.readFile(`${tempPath}/.hostgrid-manifest.json`)) ?? '{}');
 * for (const path of planCopy(local, remote).send) {
 *   await host.writeFile(resolveInside(tempPath, path), fs.createReadStream(`${selection.rootDir}/${path}`), local[path]!.mode);
 * }
 * ```
 *
 * @packageDocumentation
 */
export { StagingInputError, type StagingInputErrorOptions } from './errors.js';
export { safeRelativePath, resolveInside } from './path-safety.js';
export { localRealPath, resolveUnlinked, type RealPath } from './host-links.js';
export { DEFAULT_EXCLUDE } from './exclude.js';
export { selectFiles, type Selection, type SelectedFile, type SkippedLink, type SelectOptions } from './select.js';
export {
  DEFAULT_HASH_CONCURRENCY,
  HashCache,
  buildManifest,
  hashFile,
  parseManifest,
  serializeManifest,
  type BuildManifestOptions,
  type FileHasher,
  type HashableFile,
  type HashCacheOptions,
  type Manifest,
  type ManifestEntry,
} from './manifest.js';
export { planCopy, type CopyPlan } from './plan.js';
