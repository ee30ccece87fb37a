import { hostname } from 'node:os';
import { Worker } from 'node:worker_threads';
import { DEFAULT_MAX_FRAME_BYTES, PROTOCOL_VERSION } from '@hostgrid/protocol';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { SessionHarness } from './fixtures/session-harness.js';
import type { SessionEnd } from './session.js';

/** Whether a promise has settled by now. Waits for microtasks only, so it works under fake timers too. */
async function settled(promise: Promise<unknown>): Promise<boolean> {
  let done = false;
  void promise.then(() => {
    done = true;
  });
  for (let i = 0; i < 10; i++) await Promise.resolve();
  return done;
}

/**
 * A thread that sends the controller's pings through a MessagePort, that is through
 * the event loop's I/O, the way a socket delivers them: while the main thread is
 * blocked they queue up unread.
 */
class ThreadPinger implements AsyncDisposable {
  readonly #worker: Worker;
  readonly started: Promise<void>;

  constructor(onPing: () => void) {
    this.#worker = new Worker(
      "const { parentPort } = require('node:worker_threads'); setInterval(() => parentPort.postMessage('ping'), 2);",
      { eval: true },
    );
    this.#worker.on('message', onPing);
    this.started = new Promise((resolve) => this.#worker.once('message', () => resolve()));
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.#worker.terminate();
  }
}

describe('worker session: handshake and end', () => {
  it('answers hello with ready', async () => {
    await using w = new SessionHarness();
    w.hello();
    expect(w.sent).toEqual([{ type: 'ready', version: PROTOCOL_VERSION, pid: process.pid, node: process.version, hostname: hostname(), maxFrameBytes: DEFAULT_MAX_FRAME_BYTES }]);
    expect(await settled(w.session.ended)).toBe(false);
  });

  it('still sends ready to a controller of another version, then ends with reason "version"', async () => {
    const w = new SessionHarness();
    w.hello({ version: PROTOCOL_VERSION + 1 });
    expect(w.sent).toMatchObject([{ type: 'ready', version: PROTOCOL_VERSION }]);
    const end = await w.session.ended;
    expect(end.reason).toBe('version');
    expect(end.detail).toContain(`protocol version ${PROTOCOL_VERSION + 1}`);
    expect(w.closes).toBe(1);
  });

  it('ends with reason "shutdown", closes the port once and ignores frames after the end', async () => {
    const w = new SessionHarness();
    await w.create('Counter.1', 'Counter');
    const before = w.sent.length;
    w.send({ type: 'shutdown' });
    expect(await w.session.ended).toEqual({ reason: 'shutdown' });
    w.sendCall('Counter.1', 'increment');
    w.hello();
    w.session.disconnected();
    expect(w.sent.length).toBe(before);
    expect(w.closes).toBe(1);
  });

  it('ends with reason "disconnected" when the channel goes', async () => {
    const w = new SessionHarness();
    w.session.disconnected();
    expect(await w.session.ended).toEqual({ reason: 'disconnected' });
    expect(w.closes).toBe(1);
  });

  it('ends with reason "protocol" on a frame that does not decode', async () => {
    const w = new SessionHarness();
    // An array header promising two elements, followed by one.
    w.session.receive(Uint8Array.of(0x92, 0x01));
    const end = await w.session.ended;
    expect(end.reason).toBe('protocol');
    expect(end.detail).toContain('undecodable frame');
  });

  it('ends with reason "protocol" on an invalid message without an id', async () => {
    for (const value of [{ type: 'teleport' }, 'a string', [1, 2], { type: 'call', id: 1.5 }]) {
      const w = new SessionHarness();
      w.send(value);
      expect((await w.session.ended).reason, JSON.stringify(value)).toBe('protocol');
    }
  });

  it('ends with reason "protocol" on a second hello', async () => {
    const w = new SessionHarness();
    w.hello();
    w.hello();
    expect(await w.session.ended).toEqual({ reason: 'protocol', detail: 'a second "hello" message on one session' });
  });
});

describe('worker session: heartbeat and watchdog', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('pings at each heartbeat tick that follows an interval in which it sent nothing else', async () => {
    vi.useFakeTimers();
    await using w = new SessionHarness();
    await w.create('Counter.1', 'Counter');
    w.hello({ heartbeatMs: 100 });
    const pings = (): number => w.sent.filter((m) => m.type === 'ping').length;
    await vi.advanceTimersByTimeAsync(100);
    expect(pings()).toBe(1);
    await vi.advanceTimersByTimeAsync(60);
    await w.value('Counter.1', 'increment');
    // The answer at 160 stands for this interval: the tick at 200 sends nothing.
    await vi.advanceTimersByTimeAsync(60);
    expect(pings()).toBe(1);
    await vi.advanceTimersByTimeAsync(40);
    expect(pings()).toBe(1);
    // Nothing sent between 200 and 300: a ping, at most two intervals after the last frame.
    await vi.advanceTimersByTimeAsync(100);
    expect(pings()).toBe(2);
  });

  it('ends with reason "watchdog" once the controller is silent for watchdogMs, not while it talks', async () => {
    vi.useFakeTimers();
    await using w = new SessionHarness();
    w.hello({ watchdogMs: 100 });
    for (let i = 0; i < 5; i++) {
      await vi.advanceTimersByTimeAsync(90);
      w.send({ type: 'ping' });
    }
    expect(await settled(w.session.ended)).toBe(false);
    // Expiry comes between 1 and 1.25 timeouts after the last frame (the timer turns the
    // 'heard' flag into a time four times per timeout).
    await vi.advanceTimersByTimeAsync(99);
    expect(await settled(w.session.ended)).toBe(false);
    await vi.advanceTimersByTimeAsync(31);
    const end = await w.session.ended;
    expect(end.reason).toBe('watchdog');
    expect(end.detail).toMatch(/^nothing heard from the controller for \d+ ms$/);
    expect(w.closes).toBe(1);
  });

  it('runs no watchdog when watchdogMs is 0', async () => {
    vi.useFakeTimers();
    await using w = new SessionHarness();
    w.hello({ watchdogMs: 0, heartbeatMs: 0 });
    await vi.advanceTimersByTimeAsync(1_000_000);
    expect(await settled(w.session.ended)).toBe(false);
    expect(w.sent.map((m) => m.type)).toEqual(['ready']);
  });

  it('does not expire while a long synchronous call blocks the loop and pings queue up unread', async () => {
    await using w = new SessionHarness();
    await w.create('Faulty.1', 'Faulty');
    let end: SessionEnd | undefined;
    void w.session.ended.then((e) => {
      end = e;
    });
    {
      await using pinger = new ThreadPinger(() => w.send({ type: 'ping' }));
      await pinger.started;
      w.hello({ watchdogMs: 100 });
      // Blocks for many watchdog periods; the pings sent meanwhile wait in the MessagePort.
      // Started from the check phase, so that the next phase to run is the timers', before any I/O.
      const spun = new Promise((resolve) => setImmediate(() => resolve(w.value('Faulty.1', 'spin', 500))));
      expect(await spun).toBe(500);
      // Let the overdue watchdog timer fire and the queued pings be read.
      await new Promise((resolve) => setTimeout(resolve, 20));
      await new Promise((resolve) => setImmediate(resolve));
      expect(end).toBeUndefined();
      expect(await w.value('Faulty.1', 'spin', 0)).toBe(0);
    }
    // The watchdog was armed all along: once the pings stop, it ends the session.
    expect((await w.session.ended).reason).toBe('watchdog');
  });
});
