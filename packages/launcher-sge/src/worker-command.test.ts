import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PID_LINE, qrshCommandLine, type WorkerCommand } from './worker-command.js';

/**
 * qrsh -inherit hands its joined command line to the user's login shell on the host
 * (`<shell> -c <line>`, through qrsh_starter): these tests run the line the same way, in
 * bash and in dash, with a stand-in worker that reports where and how it runs.
 */
let dir: string;
let worker: string;
let tempPath: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'hostgrid-sge-command-test-'));
  worker = join(dir, 'fake worker.mjs');
  await writeFile(
    worker,
    `import { getPriority } from 'node:os';
     if (process.argv[2] !== '--stdio') process.exit(9);
     console.log(JSON.stringify({ pid: process.pid, cwd: process.cwd(), nice: getPriority(), value: process.env.HOSTGRID_TEST_VALUE ?? null }));
     if (process.env.HOSTGRID_TEST_SLEEP) setTimeout(() => {}, 60_000);`,
  );
  tempPath = join(dir, `it's a "temp" path with $HOME and \\ in it`);
  await mkdir(tempPath);
});
afterAll(() => rm(dir, { recursive: true, force: true }));

interface Run {
  stdout: string;
  stderr: string;
  code: number | null;
  signal: NodeJS.Signals | null;
}

function runLine(shell: string, command: Partial<WorkerCommand>, onStderr?: (text: string) => void): Promise<Run> {
  const line = qrshCommandLine({ tempPath, node: process.execPath, workerEntry: worker, niceness: 0, initCmd: undefined, env: {}, ...command });
  return new Promise((resolve, reject) => {
    const child = spawn(shell, ['-c', line], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (text: string) => (stdout += text));
    child.stderr.setEncoding('utf8').on('data', (text: string) => {
      stderr += text;
      onStderr?.(stderr);
    });
    child.once('error', reject);
    child.once('close', (code, signal) => resolve({ stdout, stderr, code, signal }));
  });
}

const bootId = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();

describe.each(['/bin/bash', '/bin/sh'])('the qrsh -inherit command line, run by %s as a login shell would', (shell) => {
  it('starts the worker in the temp path, with its environment and niceness, after reporting its pid and boot id', async () => {
    const value = `it's "quoted", has $PATH, a \\ and\na newline`;
    const run = await runLine(shell, { niceness: 5, env: { HOSTGRID_TEST_VALUE: value } });
    expect(run).toMatchObject({ code: 0, signal: null });
    const match = PID_LINE.exec(run.stderr);
    expect(match).not.toBeNull();
    const report = JSON.parse(run.stdout) as { pid: number; cwd: string; nice: number; value: string };
    expect(report).toEqual({ pid: Number(match![1]), cwd: tempPath, nice: 5, value });
    expect(match![2]).toBe(bootId);
  });

  it('runs a multi-line initCmd first, and stops with its status when it fails', async () => {
    const run = await runLine(shell, { initCmd: 'echo init one\n# a comment\necho init two' });
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^init one\ninit two\n\{"pid"/);
    const failed = await runLine(shell, { initCmd: 'echo failing >&2; (exit 7)' });
    expect(failed).toMatchObject({ code: 7, stdout: '' });
    expect(failed.stderr).toBe('failing\n');
  });

  it('says so when the Node.js executable is not there, before anything starts', async () => {
    const run = await runLine(shell, { node: '/nowhere/node' });
    expect(run.code).toBe(127);
    expect(run.stderr).toMatch(/^hostgrid: Node\.js executable "\/nowhere\/node" not found on /);
  });

  it('outlives a worker killed by SIGKILL and exits 137, so SGE does not count the task as failed', async () => {
    let killed = false;
    const run = await runLine(shell, { env: { HOSTGRID_TEST_SLEEP: '1' } }, (stderr) => {
      const match = PID_LINE.exec(stderr);
      if (match === null || killed) return;
      killed = true;
      process.kill(Number(match[1]), 'SIGKILL');
    });
    expect(killed).toBe(true);
    expect(run).toMatchObject({ code: 137, signal: null });
  });
});
