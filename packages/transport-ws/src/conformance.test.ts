import { afterAll } from 'vitest';
import { describeStagingConformance, describeTransportConformance, type ConformanceOptions } from '@hostgrid/core/testing/conformance';
import { isGone } from '@hostgrid/testbed';
import { AgentProcess } from './fixtures/agent-process.js';
import { freePort } from './fixtures/free-port.js';
import { generateToken } from './options.js';
import { wsTransport, type WsTransport } from './ws-transport.js';

// Host agents are real processes that live through the whole file: each test's transport
// listens on the same port, and the agents rejoin it (as they would a controller that
// restarts), keeping the temp folders they made (the cleanup test reads them afterwards).
const token = generateToken();
const port = await freePort();
const url = `ws://127.0.0.1:${port}`;
const agents = [AgentProcess.start({ url, host: 'h1', slots: 2, token }), AgentProcess.start({ url, host: 'h2', slots: 1, token })];
afterAll(async () => {
  for (const agent of agents) await agent[Symbol.asyncDispose]();
});

// Each transport takes the port of the one before: a test that failed before terminating
// its grid must not leave the port taken for the next one.
let previous: WsTransport | undefined;
afterAll(() => previous?.close());

const ws: ConformanceOptions<WsTransport> = {
  transport: async (limits) => {
    await previous?.close();
    previous = await wsTransport({ listen: { host: '127.0.0.1', port }, token, joinTimeoutMs: 20_000, ...limits });
    return previous;
  },
  hosts: [
    { name: 'h1', slots: 2 },
    { name: 'h2', slots: 1 },
  ],
  killWorker: (server) => void process.kill(server.pid, 'SIGKILL'),
  isRunning: (server) => !isGone(server.pid),
  // A static grid refuses an agent it does not know (4404) until addHost asks for it;
  // the agent tries again 0.1 s later and is let in.
  lateHost: { name: 'h3', slots: 1 },
  joinLateHost: (host) => void agents.push(AgentProcess.start({ url, host: host.name, slots: host.slots ?? 1, token })),
};

describeTransportConformance('ws', ws);
describeStagingConformance('ws', ws);
