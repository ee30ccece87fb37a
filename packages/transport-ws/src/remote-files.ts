import { createHash } from 'node:crypto';
import { HostgridError, type HostFiles } from '@hostgrid/core';
import type { AgentLink } from './agent-link.js';

/** Bytes per `fs-write` request. */
const CHUNK_BYTES = 256 * 1024;
/** `fs-write` requests in flight at once per file. */
const WINDOW = 8;

/**
 * {@link HostFiles} over a host agent's connection (`sharesControllerFileSystem: false`).
 * Each operation first waits for the host's agent to join (within the transport's
 * `joinTimeoutMs`), but `remove` (the grid's cleanup) which fails at once when the agent
 * is not connected. Files are streamed in 256 KiB chunks, at most 8 in flight; the agent
 * writes them under a temporary name, checks size and SHA-256 at the end, and renames
 * the file into place, so a cut-off write never shows under the final name. The agent
 * refuses any path outside the temp folders it made or was given.
 */
export function remoteFiles(host: string, agent: () => Promise<AgentLink>, connected: () => AgentLink | undefined): HostFiles {
  const fail = (what: string, path: string, error: unknown): HostgridError => {
    if (error instanceof HostgridError && error.name !== 'HostgridError') return error;
    const reason = (error as Error).message.replace(/^\[hostgrid\] /, '');
    return new HostgridError({ host, message: `cannot ${what} "${path}" on host "${host}": ${reason}`, cause: error });
  };
  const run = async <T>(what: string, path: string, step: (link: AgentLink) => Promise<T>): Promise<T> => {
    const link = await agent();
    try {
      return await step(link);
    } catch (error) {
      throw fail(what, path, error);
    }
  };
  return {
    sharesControllerFileSystem: false,
    makeTempDir: (prefix) => run('make a temp folder with prefix', prefix, async (link) => (await link.request({ type: 'fs-mktemp', prefix })) as string),
    makeDir: (path) => run('make folder', path, async (link) => (await link.request({ type: 'fs-mkdir', path })) === true),
    writeFile: (path, data, mode) =>
      run('write', path, async (link) => {
        const handle = (await link.request({ type: 'fs-open', path, mode })) as number;
        const hash = createHash('sha256');
        let size = 0;
        const inflight: Promise<unknown>[] = [];
        try {
          for await (const chunk of data) {
            for (let at = 0; at < chunk.byteLength; at += CHUNK_BYTES) {
              const piece = chunk.subarray(at, Math.min(chunk.byteLength, at + CHUNK_BYTES));
              hash.update(piece);
              size += piece.byteLength;
              const written = link.request({ type: 'fs-write', handle, data: piece });
              written.catch(() => undefined);
              inflight.push(written);
              if (inflight.length >= WINDOW) await inflight.shift();
            }
          }
          await Promise.all(inflight);
          await link.request({ type: 'fs-commit', handle, size, sha256: hash.digest('hex') });
        } catch (error) {
          void link.request({ type: 'fs-abort', handle }).catch(() => undefined);
          throw error;
        }
      }),
    readFile: (path) =>
      run('read', path, async (link) => {
        const value = await link.request({ type: 'fs-read', path });
        return value === null || value === undefined ? undefined : (value as Uint8Array);
      }),
    // Removal (the grid's cleanup) does not wait for an agent that is gone: the folder stays, and the error says so.
    remove: async (path) => {
      const link = connected();
      if (link === undefined) throw fail('remove', path, new Error(`its agent is not connected, so the folder stays`));
      try {
        await link.request({ type: 'fs-remove', path });
      } catch (error) {
        throw fail('remove', path, error);
      }
    },
  };
}
