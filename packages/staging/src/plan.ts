import type { Manifest, ManifestEntry } from './manifest.js';

/** What to copy to one host. */
export interface CopyPlan {
  /** Paths to send, in code unit order: new on the host, or different there. */
  readonly send: readonly string[];
  /** Paths the host already holds as they are here, in code unit order. */
  readonly unchanged: readonly string[];
  /** Total size of the files in `send`, in bytes. */
  readonly bytesToSend: number;
  /** Total size of the files in `unchanged`, in bytes. */
  readonly bytesUnchanged: number;
}

/**
 * Compares what is to be copied with what a host holds. A file is unchanged when the
 * host's entry has the same hash and the same mode (and, for good measure, the same
 * size); otherwise it is sent: new files, files with other contents, files whose mode
 * differs (so executable bits arrive), files the host has lost. Files only the host
 * holds are not this plan's business: they are left alone.
 *
 * @param local - The manifest of the selection ({@link buildManifest}).
 * @param remote - The manifest the host holds ({@link parseManifest}; `{}` when none).
 *
 * @example
 * ```ts
 * const plan = planCopy(local, remote);
 * log(`${plan.send.length} files (${plan.bytesToSend} bytes) to send, ${plan.unchanged.length} already there`);
 * ```
 */
export function planCopy(local: Manifest, remote: Manifest): CopyPlan {
  const send: string[] = [];
  const unchanged: string[] = [];
  let bytesToSend = 0;
  let bytesUnchanged = 0;
  for (const path of Object.keys(local).sort()) {
    const here = local[path] as ManifestEntry;
    // Own properties only: a file called "constructor" is not on every host.
    const there = Object.hasOwn(remote, path) ? remote[path] : undefined;
    if (there !== undefined && there.hash === here.hash && there.mode === here.mode && there.size === here.size) {
      unchanged.push(path);
      bytesUnchanged += here.size;
    } else {
      send.push(path);
      bytesToSend += here.size;
    }
  }
  return { send, unchanged, bytesToSend, bytesUnchanged };
}
