import { dirname, join } from 'node:path';
import { writeFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { Grid } from '@hostgrid/core';
import { isGone } from '@hostgrid/testbed';
import { generateToken, wsTransport } from '@hostgrid/transport-ws';
import { CliProcess, runCli } from './fixtures/cli-process.js';
import { scratch } from './fixtures/scratch.js';
import type { ProbeAnswer } from './probe/check-probe.js';

/** The built probe service: plain JavaScript that a worker can import. */
const PROBE = new URL('../dist/probe/check-probe.js', import.meta.url);

/** The environment without a token, so that only what a test gives counts. */
function envWithout(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env['HOSTGRID_TOKEN'];
  return env;
}

describe('hostgrid agent', () => {
  it('joins a WebSocket grid with the token from --token-file, serves a real call, and exits 0 on SIGTERM', { timeout: 60_000 }, async () => {
    await using dir = await scratch();
    const token = generateToken();
    const tokenFile = join(dir.path, 'token');
    await writeFile(tokenFile, `${token}\n`, { mode: 0o600 });
    const transport = await wsTransport({ listen: { host: '127.0.0.1', port: 0 }, token, joinTimeoutMs: 30_000 });
    const starting = Grid.start({ hosts: [{ name: 'a', slots: 1 }], transport });
    starting.catch(() => undefined);
    await using agent = new CliProcess(['agent', '--connect', `ws://127.0.0.1:${transport.address().port}`, '--host', 'a', '--slots', '1', '--token-file', tokenFile], { env: envWithout() });
    let workerPid: number;
    {
      await using grid = await starting;
      await grid.copyFiles(dirname(fileURLToPath(PROBE)), ['check-probe.js']);
      const id = await grid.publish({ module: PROBE.href, export: 'CheckProbe', args: [] });
      const answer = await grid.call<ProbeAnswer>(id, 'echo', ['over the agent']);
      expect(answer).toMatchObject({ value: 'over the agent', node: process.version });
      workerPid = grid.servers(id)[0]!.pid;
      expect(workerPid).toBeGreaterThan(0);
    }
    // The grid is gone; the agent keeps dialling for the next one until told to stop.
    agent.child.kill('SIGTERM');
    const run = await agent.done;
    expect(run).toMatchObject({ code: 0, signal: null });
    expect(isGone(agent.child.pid!)).toBe(true);
    // Its slot worker was stopped with it (or watches its parent): it goes too; the test's timeout bounds the wait.
    while (!isGone(workerPid)) await sleep(20);
    expect(run.stdout + run.stderr).not.toContain(token);
  });

  it('refuses a token on the command line without echoing it, and a missing token, with exit 2', async () => {
    const token = generateToken();
    const onCommandLine = await runCli(['agent', '--connect', 'ws://127.0.0.1:1', '--host', 'a', '--slots', '1', `--token=${token}`], { env: envWithout() });
    expect(onCommandLine.code).toBe(2);
    expect(onCommandLine.stderr).toMatch(/^hostgrid: agent: --token is not taken .*\n$/);
    expect(onCommandLine.stdout + onCommandLine.stderr).not.toContain(token);
    const none = await runCli(['agent', '--connect', 'ws://127.0.0.1:1', '--host', 'a', '--slots', '1'], { env: envWithout() });
    expect(none).toMatchObject({ code: 2, stderr: 'hostgrid: agent: no token: give --token-file FILE (its first line is the token) or set HOSTGRID_TOKEN\n' });
  });

  it('passes bad values on to the worker agent, which names them (exit 2)', async () => {
    const run = await runCli(['agent', '--connect', 'http://nowhere', '--host', 'a', '--slots', '1'], { env: { ...envWithout(), HOSTGRID_TOKEN: generateToken() } });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--connect needs a ws:// or wss:// URL, got "http://nowhere"');
  });
});
