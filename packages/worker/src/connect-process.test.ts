import { spawn } from 'node:child_process';
import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { workerBundlePath } from './index.js';

/** Runs the bundle with `args` and HOSTGRID_TOKEN; resolves with its exit code and stderr. */
function run(entry: string, args: readonly string[], token?: string): Promise<{ code: number | null; stderr: string }> {
  const env = { ...process.env };
  delete env['HOSTGRID_TOKEN'];
  if (token !== undefined) env['HOSTGRID_TOKEN'] = token;
  const child = spawn(process.execPath, [entry, ...args], { stdio: ['ignore', 'ignore', 'pipe'], env });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (text: string) => (stderr += text));
  return new Promise((resolve) => child.once('close', (code) => resolve({ code, stderr })));
}

/** A port with nothing listening on it. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('hostgrid-worker --connect (the bundle, copied alone into an empty folder)', () => {
  it('keeps dialling a controller that is not there for --retry-for, then exits with code 6', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'hostgrid-worker-connect-'));
    try {
      const entry = join(dir, 'hostgrid-worker.js');
      await copyFile(workerBundlePath(), entry);
      const url = `ws://127.0.0.1:${await closedPort()}`;
      const { code, stderr } = await run(entry, ['--connect', url, '--host', 'h1', '--slots', '2', '--retry-for', '0.5'], 'a-token-of-16-chars');
      expect(code).toBe(6);
      expect(stderr).toMatch(new RegExp(`agent "h1": cannot reach the controller at ${url}: .*ECONNREFUSED.*; trying again`));
      expect(stderr).toMatch(/gave up: no connection to .* for 1 s \(--retry-for\)/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('refuses to start without a token (exit 2) and reads one from --token-file', async () => {
    const url = `ws://127.0.0.1:${await closedPort()}`;
    expect(await run(workerBundlePath(), ['--connect', url, '--host', 'h1', '--slots', '1'])).toEqual({
      code: 2,
      stderr: 'hostgrid-worker: no token: set HOSTGRID_TOKEN or give --token-file <file>\n',
    });
    const missing = await run(workerBundlePath(), ['--connect', url, '--host', 'h1', '--slots', '1', '--token-file', '/nonexistent/token']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/cannot read the token file \/nonexistent\/token: ENOENT/);
  });
});
