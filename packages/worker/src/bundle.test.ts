import { PROTOCOL_VERSION } from '@hostgrid/protocol';
import { copyFile, mkdtemp, readFile, readdir, rm, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { workerBundlePath } from './index.js';
import { WorkerProcess } from './fixtures/worker-process.js';

const SERVICES = new URL('./fixtures/services.mjs', import.meta.url).href;

/** An empty temporary folder, removed on dispose. */
async function tempDir(): Promise<AsyncDisposable & { path: string }> {
  const path = await mkdtemp(join(tmpdir(), 'hostgrid-worker-'));
  return { path, [Symbol.asyncDispose]: () => rm(path, { recursive: true, force: true }) };
}

describe('the worker bundle', () => {
  it('is one executable file with a node shebang that imports only node: built-ins', async () => {
    const source = await readFile(workerBundlePath(), 'utf8');
    expect(source.startsWith('#!/usr/bin/env node\n')).toBe(true);
    expect((await stat(workerBundlePath())).mode & 0o111).not.toBe(0);
    const specifiers = [...source.matchAll(/^import .* from "([^"]+)";$/gm)].map((m) => m[1]);
    expect(specifiers.length).toBeGreaterThan(0);
    expect(specifiers.every((s) => s!.startsWith('node:'))).toBe(true);
    // msgpackr's Node entry names its native addon; the portable entry does not.
    expect(source).not.toContain('msgpackr-extract');
  });

  it('runs when copied alone into an empty folder with no node_modules', async () => {
    await using dir = await tempDir();
    const entry = join(dir.path, 'hostgrid-worker.js');
    await copyFile(workerBundlePath(), entry);
    expect(await readdir(dir.path)).toEqual(['hostgrid-worker.js']);
    await using worker = WorkerProcess.start({ entry, cwd: dir.path });
    expect(await worker.hello()).toMatchObject({ type: 'ready', version: PROTOCOL_VERSION });
    expect(await worker.create('Counter.1', 'Counter', SERVICES, [1])).toMatchObject({ type: 'created' });
    expect(await worker.call('Counter.1', 'increment', 2)).toMatchObject({ type: 'result', value: 3 });
    worker.send({ type: 'shutdown' });
    expect(await worker.exited).toEqual({ code: 0, signal: null });
  });

  it('is the package subpath @hostgrid/worker/bundle, for import and require alike', () => {
    const require = createRequire(import.meta.url);
    expect(require.resolve('@hostgrid/worker/bundle')).toBe(workerBundlePath());
    expect(import.meta.resolve('@hostgrid/worker/bundle')).toBe(pathToFileURL(workerBundlePath()).href);
  });
});
