import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveHosts } from './host-spec.js';
import { shellQuote, type WorkerCommand, workerCommand, workerInvocation, workerScriptPrelude } from './worker-command.js';

const run = promisify(execFile);

/**
 * The pieces are run the way the transports run them, in a real POSIX shell (dash as
 * `sh`, and bash), with a stand-in worker that reports how it was started.
 */
let dir: string;
let worker: string;
let tempPath: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'hostgrid-core-command-test-'));
  worker = join(dir, `it's a "worker" $HOME.mjs`);
  await writeFile(
    worker,
    `import { getPriority } from 'node:os';
     console.log(JSON.stringify({ args: process.argv.slice(2), cwd: process.cwd(), nice: getPriority(), value: process.env.HOSTGRID_TEST_VALUE ?? null }));`,
  );
  tempPath = join(dir, `a 'temp' path with $HOME, \`x\` and \\ in it`);
  await mkdir(tempPath);
});
afterAll(() => rm(dir, { recursive: true, force: true }));

function command(overrides: Partial<WorkerCommand> = {}): WorkerCommand {
  return { tempPath, node: process.execPath, workerEntry: worker, niceness: 0, initCmd: undefined, env: {}, ...overrides };
}

/** Runs a prelude-and-exec script as `/bin/sh -c` (or bash) would; what the shell printed and its exit code. */
async function runScript(script: string, shell = 'sh'): Promise<{ stdout: string; stderr: string; code: number }> {
  try {
    const { stdout, stderr } = await run(shell, ['-c', script]);
    return { stdout, stderr, code: 0 };
  } catch (error) {
    const failed = error as { stdout: string; stderr: string; code: number };
    return { stdout: failed.stdout, stderr: failed.stderr, code: failed.code };
  }
}

describe('shellQuote', () => {
  it('gives one word that the shell reads back exactly', async () => {
    for (const value of ['', 'plain', "it's", `"double" $HOME \`id\` \\ ; | & * ?`, 'two\nlines']) {
      const { stdout } = await runScript(`printf %s ${shellQuote(value)}`);
      expect(stdout).toBe(value);
    }
  });
});

describe('workerCommand', () => {
  it('takes the host and the request, with the default node when the host names none', () => {
    const [host] = resolveHosts([{ name: 'a', niceness: 3, initCmd: 'true', env: { A: '1' } }]);
    const request = { host: host!, tempPath: '/t', workerEntry: '/w.js' };
    expect(workerCommand(request, { defaultNode: 'node' })).toEqual({ tempPath: '/t', node: 'node', workerEntry: '/w.js', niceness: 3, initCmd: 'true', env: { A: '1' } });
    const [named] = resolveHosts([{ name: 'b', node: '/opt/node' }]);
    const other = workerCommand({ ...request, host: named! }, { defaultNode: 'node', workerEntry: '/staged/w.js' });
    expect(other.node).toBe('/opt/node');
    expect(other.workerEntry).toBe('/staged/w.js');
    expect(other.niceness).toBe(0);
  });
});

describe('workerInvocation', () => {
  it('is the bare invocation without env or niceness', () => {
    expect(workerInvocation(command({ node: 'node', workerEntry: '/w.js' }))).toBe(`'node' '/w.js' --stdio`);
  });

  it('starts the worker with --stdio, the env for it alone, and nice', async () => {
    const script = [...workerScriptPrelude(command({ niceness: 5, env: { HOSTGRID_TEST_VALUE: `it's $HOME` } })), `exec ${workerInvocation(command({ niceness: 5, env: { HOSTGRID_TEST_VALUE: `it's $HOME` } }))}`].join('\n');
    for (const shell of ['sh', 'bash']) {
      const { stdout, code } = await runScript(script, shell);
      expect(code).toBe(0);
      expect(JSON.parse(stdout)).toEqual({ args: ['--stdio'], cwd: tempPath, nice: 5, value: `it's $HOME` });
    }
  });

  it('refuses an environment variable name that is not a shell name', () => {
    expect(() => workerInvocation(command({ env: { 'A B': '1' } }))).toThrow(/environment variable name "A B" is not valid/);
  });
});

describe('workerScriptPrelude', () => {
  const exec = (c: WorkerCommand): string => [...workerScriptPrelude(c), `exec ${workerInvocation(c)}`].join('\n');

  it('runs a multi-line initCmd in the temp path first', async () => {
    const { stdout, code } = await runScript(exec(command({ initCmd: 'echo "init in $(pwd)"\nexport HOSTGRID_TEST_VALUE=from-init' })));
    expect(code).toBe(0);
    const [first, second] = stdout.trim().split('\n');
    expect(first).toBe(`init in ${tempPath}`);
    expect(JSON.parse(second!).value).toBe('from-init');
  });

  it('stops with initCmd’s status when it fails, before the worker', async () => {
    const { stdout, code } = await runScript(exec(command({ initCmd: 'exit 4' })));
    expect(code).toBe(4);
    expect(stdout).toBe('');
  });

  it('exits 1 when the temp path is missing', async () => {
    const { stdout, code } = await runScript(exec(command({ tempPath: join(dir, 'missing') })));
    expect(code).toBe(1);
    expect(stdout).toBe('');
  });

  it('exits 127 naming the Node.js executable that is not there', async () => {
    const { stderr, code } = await runScript(exec(command({ node: '/nonexistent/node' })));
    expect(code).toBe(127);
    expect(stderr).toContain('hostgrid: Node.js executable "/nonexistent/node" not found on');
  });
});
