/**
 * The Moleculer peer: two ServiceBrokers on Moleculer's TCP transporter over loopback,
 * the caller in this process and the node serving `math.add` in a child process, driven
 * with `broker.call('math.add', { a, b })` as its documentation shows.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import type { Call } from './measure.js';

/** A started pair of brokers: the call to measure and the serving node's pid (for pinning). */
export interface MoleculerPeer extends AsyncDisposable {
  /** `broker.call('math.add', { a: 1, b: 2 })`. */
  readonly add: Call;
  readonly pid: number;
}

const START_TIMEOUT_MS = 20_000;

/** A TCP port free on 127.0.0.1 right now (the OS picks it; closed again before use). */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Waits for the child's `ready`, or fails on exit, error or time-out. */
function ready(child: ChildProcess): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('bench: the Moleculer node did not start in time')), START_TIMEOUT_MS);
    child.once('message', (message) => {
      clearTimeout(timer);
      if (message === 'ready') resolve();
      else reject(new Error(`bench: unexpected message from the Moleculer node: ${String(message)}`));
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`bench: the Moleculer node exited with code ${code} before it was ready`));
    });
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
}

/** Stops the child: asks over IPC, then kills it if it is still there after a second. */
async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  if (child.connected) child.send('stop');
  const timer = setTimeout(() => child.kill('SIGKILL'), 1000);
  await exited;
  clearTimeout(timer);
}

/** Starts the serving node (a child process) and the calling broker, and waits until `math.add` answers. */
export async function startMoleculer(): Promise<MoleculerPeer> {
  const { ServiceBroker } = await import('moleculer');
  const { CALLER_NODE, brokerOptions } = await import('./moleculer-loopback.js');
  const ports = { caller: await freePort(), service: await freePort() };
  const child = fork(new URL('./moleculer-node.js', import.meta.url).pathname, [String(ports.caller), String(ports.service)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const broker = new ServiceBroker(brokerOptions(CALLER_NODE, ports));
  try {
    await ready(child);
    await broker.start();
    await broker.waitForServices('math', START_TIMEOUT_MS);
    for (let i = 0; i < 2; i++) await Promise.all(Array.from({ length: 8 }, () => broker.call('math.add', { a: 1, b: 2 })));
    return {
      add: () => broker.call('math.add', { a: 1, b: 2 }),
      pid: child.pid!,
      async [Symbol.asyncDispose]() {
        await broker.stop();
        await stopChild(child);
      },
    };
  } catch (error) {
    await broker.stop().catch(() => undefined);
    await stopChild(child);
    throw error;
  }
}
