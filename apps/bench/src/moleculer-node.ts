/**
 * The Moleculer peer's remote node, run as a child process: a ServiceBroker on the TCP
 * transporter (loopback) hosting the service `math` with the action `add`, the same tiny
 * call as the grid's `Adder.add`. Its ports come as `argv[2]` (caller) and `argv[3]`
 * (this node); it says `ready` over IPC once started, and stops when the parent says
 * `stop` or goes away.
 */
import { ServiceBroker, type Context } from 'moleculer';
import { SERVICE_NODE, brokerOptions } from './moleculer-loopback.js';

const ports = { caller: Number(process.argv[2]), service: Number(process.argv[3]) };
const broker = new ServiceBroker(brokerOptions(SERVICE_NODE, ports));
broker.createService({
  name: 'math',
  actions: {
    add: (ctx: Context<{ a: number; b: number }>): number => ctx.params.a + ctx.params.b,
  },
});

let stopping = false;
async function stop(): Promise<void> {
  if (stopping) return;
  stopping = true;
  await broker.stop().catch(() => undefined);
  process.exit(0);
}

process.on('message', (message) => {
  if (message === 'stop') void stop();
});
process.on('disconnect', () => void stop());
await broker.start();
process.send?.('ready');
