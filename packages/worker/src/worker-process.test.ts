import { PROTOCOL_VERSION } from '@hostgrid/protocol';
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { WorkerExitCode } from './exit-codes.js';
import { workerBundlePath } from './bundle-path.js';
import { WorkerProcess } from './fixtures/worker-process.js';

const SERVICES = new URL('./fixtures/services.mjs', import.meta.url).href;

describe('hostgrid-worker process (--fd 3)', () => {
  it('answers hello, create and call over fd 3', async () => {
    await using worker = WorkerProcess.start();
    expect(await worker.hello()).toMatchObject({ type: 'ready', version: PROTOCOL_VERSION, pid: worker.child.pid, node: process.version });
    expect(await worker.create('Counter.1', 'Counter', SERVICES, [41])).toMatchObject({ type: 'created', methods: ['increment'] });
    expect(await worker.call('Counter.1', 'increment')).toMatchObject({ type: 'result', value: 42 });
    expect(await worker.call('Counter.1', 'toString')).toMatchObject({ type: 'failure', kind: 'method' });
  });

  it("passes user code's stdout and stderr through its own pipes", async () => {
    await using worker = WorkerProcess.start();
    await worker.hello();
    await worker.create('Faulty.1', 'Faulty', SERVICES);
    expect(await worker.call('Faulty.1', 'speak', 'hello')).toMatchObject({ type: 'result', value: 'hello' });
    await worker.outputContains('stdout', 'out: hello\n');
    await worker.outputContains('stderr', 'err: hello\n');
  });

  it('exits with code 0 when the controller closes fd 3', async () => {
    await using worker = WorkerProcess.start();
    await worker.hello();
    worker.endChannel();
    expect(await worker.exited).toEqual({ code: WorkerExitCode.Ok, signal: null });
  });

  it('exits with code 0 on shutdown', async () => {
    await using worker = WorkerProcess.start();
    await worker.hello();
    worker.send({ type: 'shutdown' });
    expect(await worker.exited).toEqual({ code: WorkerExitCode.Ok, signal: null });
  });

  it('sends ready to a controller of another version, then exits with code 5', async () => {
    await using worker = WorkerProcess.start();
    expect(await worker.hello({ version: 99 })).toMatchObject({ type: 'ready', version: PROTOCOL_VERSION });
    expect(await worker.exited).toEqual({ code: WorkerExitCode.Version, signal: null });
    expect(worker.stderr).toContain('[hostgrid-worker] exiting (version: the controller speaks protocol version 99');
  });

  it('exits with code 4 on a frame that cannot be decoded', async () => {
    await using worker = WorkerProcess.start();
    await worker.hello();
    worker.sendBytes(Uint8Array.of(0, 0, 0, 2, 0x92, 0x01));
    expect(await worker.exited).toEqual({ code: WorkerExitCode.Protocol, signal: null });
  });

  it('exits with code 4 on a frame longer than the limit', async () => {
    await using worker = WorkerProcess.start();
    await worker.hello();
    worker.sendBytes(Uint8Array.of(0xff, 0xff, 0xff, 0xff));
    expect(await worker.exited).toEqual({ code: WorkerExitCode.Protocol, signal: null });
    expect(worker.stderr).toContain('exceeds the limit');
  });

  it('exits with code 3 when the controller goes silent', async () => {
    await using worker = WorkerProcess.start();
    await worker.hello({ watchdogMs: 100 });
    expect(await worker.exited).toEqual({ code: WorkerExitCode.Watchdog, signal: null });
    expect(worker.stderr).toContain('[hostgrid-worker] exiting (watchdog: nothing heard from the controller');
  });

  it('survives a synchronous call longer than the watchdog while the controller keeps pinging', async () => {
    await using worker = WorkerProcess.start();
    await worker.hello({ watchdogMs: 500, heartbeatMs: 50 });
    await worker.create('Faulty.1', 'Faulty', SERVICES);
    const pinging = setInterval(() => worker.send({ type: 'ping' }), 20);
    try {
      expect(await worker.call('Faulty.1', 'spin', 1500)).toMatchObject({ type: 'result', value: 1500 });
      // A heartbeat sent after the loop came back: the worker's overdue timers have run by then.
      await worker.upcoming((m) => m.type === 'ping');
      expect(await worker.call('Faulty.1', 'spin', 0)).toMatchObject({ type: 'result', value: 0 });
      expect(worker.child.exitCode).toBeNull();
    } finally {
      clearInterval(pinging);
    }
  });

  it('exits with code 1, naming the error, on an uncaught exception in user code', async () => {
    await using worker = WorkerProcess.start();
    await worker.hello();
    await worker.create('Faulty.1', 'Faulty', SERVICES);
    await worker.call('Faulty.1', 'crashLater');
    expect(await worker.exited).toEqual({ code: WorkerExitCode.UncaughtException, signal: null });
    expect(worker.stderr).toContain('[hostgrid-worker] uncaught exception');
    expect(worker.stderr).toContain('crash from a timer');
  });

  it('warns about an unhandled rejection and keeps running', async () => {
    await using worker = WorkerProcess.start();
    await worker.hello();
    await worker.create('Faulty.1', 'Faulty', SERVICES);
    await worker.call('Faulty.1', 'rejectLater');
    await worker.outputContains('stderr', '[hostgrid-worker] warning: unhandled promise rejection');
    expect(await worker.call('Faulty.1', 'spin', 0)).toMatchObject({ type: 'result', value: 0 });
  });
});

describe('hostgrid-worker process (--stdio)', () => {
  it('carries frames on stdin/stdout and sends user stdout to stderr', async () => {
    await using worker = WorkerProcess.start({ mode: 'stdio' });
    await worker.hello();
    await worker.create('Faulty.1', 'Faulty', SERVICES);
    expect(await worker.call('Faulty.1', 'speak', 'quiet')).toMatchObject({ type: 'result', value: 'quiet' });
    await worker.outputContains('stderr', 'out: quiet\n');
    await worker.outputContains('stderr', 'err: quiet\n');
    worker.endChannel();
    expect(await worker.exited).toEqual({ code: WorkerExitCode.Ok, signal: null });
  });
});

describe('hostgrid-worker command line', () => {
  it('prints usage for --help', () => {
    const run = spawnSync(process.execPath, [workerBundlePath(), '--help'], { encoding: 'utf8' });
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('Usage: hostgrid-worker --fd <n>');
  });

  it('prints one line and exits with code 2 on a bad argument', () => {
    for (const args of [['--bogus'], [], ['--fd'], ['--fd', 'x'], ['--fd', '3', '--stdio']]) {
      const run = spawnSync(process.execPath, [workerBundlePath(), ...args], { encoding: 'utf8' });
      expect(run.status, args.join(' ')).toBe(WorkerExitCode.Usage);
      expect(run.stderr.trimEnd().split('\n'), args.join(' ')).toHaveLength(1);
    }
  });
});
