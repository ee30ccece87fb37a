import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const CONTROLLER = fileURLToPath(new URL('./fixtures/log-controller.mjs', import.meta.url));

/** Runs the logging controller to its end; its stdout and stderr. */
function run(mode: 'none' | 'debug' | 'logger'): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CONTROLLER, mode], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (text: string) => (stdout += text));
    child.stderr.setEncoding('utf8').on('data', (text: string) => (stderr += text));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('the grid\'s logging, seen from a controller process', () => {
  it('is silent by default: nothing on stderr through losses, restarts, removals and failures', async () => {
    const { code, stdout, stderr } = await run('none');
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    expect(stdout).toBe('{"done":true}\n');
  });

  it('with debug: true and no logger, writes the grid\'s life to stderr as before', async () => {
    const { code, stderr } = await run('debug');
    expect(code).toBe(0);
    expect(stderr).toMatch(/^\[hostgrid\] started 3 workers on 2 hosts/);
    expect(stderr).toContain('[hostgrid] published Tasks.1 on 3 servers');
    expect(stderr).toMatch(/\[hostgrid\] lost worker a\/\d: /);
    expect(stderr).toContain('[hostgrid] removed host b');
    // Per-call lines need verbose.
    expect(stderr).not.toContain('[hostgrid] call Tasks.1');
  });

  it('with a logger, gives it every line with its fields, warns of the unobserved failure, and writes nothing to stderr', async () => {
    const { code, stdout, stderr } = await run('logger');
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    const lines = stdout.trim().split('\n').map((text) => JSON.parse(text) as Record<string, unknown>);
    expect(lines.at(-1)).toEqual({ done: true });
    expect(lines).toContainEqual({ level: 'warn', host: 'a', slot: expect.any(Number), err: 'WorkerLostError', message: expect.stringMatching(/^lost worker a\/\d: /) });
    expect(lines).toContainEqual({ level: 'info', host: 'a', slot: expect.any(Number), service: 'Tasks.1', restarts: 1, message: expect.stringMatching(/^restarted Tasks\.1 on a\/\d/) });
    expect(lines).toContainEqual({ level: 'info', host: 'b', message: 'removed host b (1 workers stopped)' });
    expect(lines).toContainEqual({ level: 'trace', service: 'Tasks.1', method: 'note', host: 'b', slot: 0, message: 'call Tasks.1.note on b/0' });
    expect(lines).toContainEqual({ level: 'warn', service: 'Tasks.1', method: 'fail', err: 'RemoteError', message: expect.stringMatching(/^unobserved failure: .*nobody handles this/) });
    expect(lines.filter((entry) => entry.level === 'error')).toEqual([]);
  });
});
