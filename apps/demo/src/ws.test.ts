import { type ChildProcess, spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { readFile, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { isGone } from '@hostgrid/testbed';
import { describe, expect, it } from 'vitest';
import { runCli, startCli } from './fixtures/cli.js';
import { tempDir } from './fixtures/temp-dir.js';
import type { ReportData } from './report-data.js';

const FLAGS = ['--rounds', '20', '--sweeps', '4', '--size', '10', '--seed', '21'];
/** The `hostgrid` bin of `@hostgrid/cli`, as `npx @hostgrid/cli` runs it. */
const HOSTGRID = join(dirname(createRequire(import.meta.url).resolve('@hostgrid/cli/package.json')), 'dist', 'cli.js');

/** Resolves with the agent's exit code once it has exited. */
function exited(agent: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => (agent.exitCode !== null ? resolve(agent.exitCode) : agent.once('exit', (code) => resolve(code))));
}

describe('the demo over WebSocket (agents dialing in)', () => {
  it('prints the command each host runs, runs on the agents that dial in, and writes the sequential result.json', { timeout: 120_000 }, async () => {
    await using out = await tempDir('hostgrid-demo-ws-');
    const agents: ChildProcess[] = [];
    try {
      await using demo = startCli(['--transport', 'ws', '--listen', '127.0.0.1:0', '--hosts', 'a,b', '--slots', '2', '--join-timeout', '60', ...FLAGS, '--out', join(out.path, 'ws')]);
      for (const host of ['a', 'b']) {
        const [, args] = await demo.waitForOutput(new RegExp(`npx @hostgrid/cli agent (--connect ws://127\\.0\\.0\\.1:\\d+ --token-file \\S+ --host ${host} --slots 2)\\n`), 30_000);
        // The agents give up soon after the grid has gone, instead of waiting for another.
        const agent = spawn(process.execPath, [HOSTGRID, 'agent', ...args!.split(' '), '--retry-for', '1'], { stdio: ['ignore', 'inherit', 'inherit'] });
        agents.push(agent);
      }
      const run = await demo.done;
      expect(run.stderr).toBe('');
      expect(run.code).toBe(0);
      expect(run.stdout).toContain('servers used: 4');
      const tokenFile = join(out.path, 'ws', 'hostgrid-token');
      expect(run.stdout).toContain(`--token-file ${tokenFile}`);
      expect((await stat(tokenFile)).mode & 0o777).toBe(0o600);

      const sequential = await runCli([...FLAGS, '--replicas', '4', '--sequential', '--out', join(out.path, 'sequential')]);
      expect(sequential.code).toBe(0);
      const read = (dir: string, file: string): Promise<string> => readFile(join(out.path, dir, file), 'utf8');
      expect(await read('ws', 'result.json')).toBe(await read('sequential', 'result.json'));
      const report = JSON.parse(await read('ws', 'report.json')) as ReportData;
      expect(report.run.transport).toBe('ws');
      expect(report.timeline!.servers.map((s) => `${s.host}/${s.slot}`)).toEqual(['a/0', 'a/1', 'b/0', 'b/1']);
      // With the grid gone, each agent stops its workers and gives up (exit 6) after --retry-for.
      expect(await Promise.all(agents.map(exited))).toEqual([6, 6]);
      expect(agents.every((agent) => isGone(agent.pid!))).toBe(true);
    } finally {
      for (const agent of agents) if (agent.exitCode === null && agent.signalCode === null) agent.kill('SIGKILL');
    }
  });

  it('fails in one line naming the hosts that never dialed in', { timeout: 60_000 }, async () => {
    await using out = await tempDir('hostgrid-demo-ws-');
    const run = await runCli(['--transport', 'ws', '--listen', '127.0.0.1:0', '--hosts', 'x,y', '--join-timeout', '1', ...FLAGS, '--out', out.path]);
    expect(run.code).toBe(1);
    expect(run.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(run.stderr).toMatch(/^hostgrid-demo: run failed: .*\bx\b.*\by\b/);
  });
});
