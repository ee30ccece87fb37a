import { rm } from 'node:fs/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { Grid, type ServerInfo } from '@hostgrid/core';
import { Recorder } from '@hostgrid/core/testing';
import { startSshHosts, type SshHost } from '@hostgrid/testbed';
import { AgentProcess } from './fixtures/agent-process.js';
import { generateToken } from './options.js';
import { wsTransport, type WsTransport } from './ws-transport.js';
import { CORE_DIST, FIXTURES, cleanupsAfterEach } from './fixtures/test-setup.js';

// Hosts in their own network namespaces (the test bed's sshd is not used): each agent
// runs inside its namespace and dials the controller on the bridge address.
const bed = await startSshHosts({ count: 3, name: 'ws' });
afterAll(() => bed[Symbol.asyncDispose]());

const token = generateToken();
const cleanups = cleanupsAfterEach();

async function controller(dynamic = false): Promise<WsTransport> {
  return wsTransport({ listen: { host: bed.bridgeAddress, port: 0 }, token, dynamic, joinTimeoutMs: 20_000 });
}

function agentIn(host: SshHost, url: string, slots = 1): AgentProcess {
  const agent = AgentProcess.start({ url, host: host.name, slots, token, retryFor: 30, prefix: ['ip', 'netns', 'exec', host.namespace] });
  cleanups.push(() => agent[Symbol.asyncDispose]());
  return agent;
}

function nextEvent<T>(grid: Grid, event: 'host-added' | 'server-lost'): Promise<T> {
  return new Promise((resolve) => grid.once(event, (value: unknown) => resolve(value as T)));
}

describe('ws transport with hosts in network namespaces', () => {
  it('serves calls on workers that dial in from three hosts over the bridge', async () => {
    const transport = await controller();
    for (const host of bed.hosts) agentIn(host, transport.url, 2);
    await using grid = await Grid.start({ hosts: bed.hosts.map((host) => ({ name: host.name, slots: 2 })), transport });
    expect(transport.connectedHosts().map((host) => [host.name, host.remote.split(':')[0]]).sort()).toEqual(bed.hosts.map((host) => [host.name, host.address]));
    await grid.copyFiles(CORE_DIST, FIXTURES);
    const id = await grid.publish(new Recorder('netns'));
    expect(await grid.gather(grid.broadcast(id, 'append', 'x'))).toEqual([1, 1, 1, 1, 1, 1]);
    expect(grid.servers(id).map((server) => server.host).sort()).toEqual(['h1', 'h1', 'h2', 'h2', 'h3', 'h3']);
  });

  it('loses a host whose link goes down (its pending calls reject with WorkerLostError), and takes it back as a fresh host when it rejoins', async () => {
    const transport = await controller();
    const [h1, victim] = bed.hosts as [SshHost, SshHost];
    agentIn(h1, transport.url);
    const agent = agentIn(victim, transport.url);
    const grid = await Grid.start({ hosts: [h1.name, victim.name], transport, heartbeat: { intervalMs: 200, misses: 3 } });
    cleanups.push(async () => {
      await bed.linkUp(victim, { wait: false });
      await grid.terminate({ cleanup: true });
    });
    await grid.copyFiles(CORE_DIST, FIXTURES);
    const id = await grid.publish(new Recorder('before'));
    const proxies = await Promise.all(grid.servers(id).map(() => grid.acquireService<Recorder>(id)));
    const pids = await Promise.all(proxies.map(async (proxy) => (await proxy.whoami()).pid));
    const victimPid = grid.servers(id).find((server) => server.host === victim.name)!.pid;
    const onVictim = proxies[pids.indexOf(victimPid)]!;
    // The lost host's folder stays (nobody can reach it to remove it); the hosts share this machine's files.
    const lostTempPath = grid.tempPath(victim.name);
    cleanups.unshift(() => rm(lostTempPath, { recursive: true, force: true }));
    const pending = onVictim.sleep(60_000);
    const lost = nextEvent<ServerInfo>(grid, 'server-lost');
    await bed.linkDown(victim);
    await expect(pending).rejects.toMatchObject({ name: 'WorkerLostError', host: victim.name, method: 'sleep' });
    expect(await lost).toMatchObject({ host: victim.name });
    // The agent, cut off too, stops its workers and dials again until the link is back.
    await agent.waitFor(/connection to .* ended \(no word from the controller/);
    const added = nextEvent<{ name: string }>(grid, 'host-added');
    await bed.linkUp(victim, { wait: false });
    expect(await added).toMatchObject({ name: victim.name });
    for (const proxy of proxies) grid.releaseService(proxy);
    const servers = grid.servers(id).filter((server) => server.host === victim.name);
    expect(servers).toHaveLength(1);
    // A fresh copy of what was published, not the lost one's state.
    const reports = await grid.gather(grid.broadcast<{ label: string; log: string[] }>(id, 'report'));
    expect(reports.map((report) => report.label)).toEqual(['before', 'before']);
    expect(await grid.gather(grid.broadcast(id, 'append', 'after'))).toEqual([1, 1]);
  }, 60_000);

  it('gives a host that joins a dynamic grid after publish every service, and it serves calls', async () => {
    const transport = await controller(true);
    const [h1, late] = bed.hosts as [SshHost, SshHost];
    agentIn(h1, transport.url);
    await using grid = await Grid.start({ hosts: [h1.name], transport });
    await grid.copyFiles(CORE_DIST, FIXTURES);
    const id = await grid.publish(new Recorder('elastic'));
    const added = nextEvent<{ name: string }>(grid, 'host-added');
    agentIn(late, transport.url, 2);
    expect(await added).toMatchObject({ name: late.name });
    expect(grid.servers(id).map((server) => server.host)).toEqual([h1.name, late.name, late.name]);
    const proxies = await Promise.all([0, 1, 2].map(() => grid.acquireService<Recorder>(id)));
    const reports = await Promise.all(proxies.map((proxy) => proxy.report()));
    expect(reports.map((report) => report.label)).toEqual(['elastic', 'elastic', 'elastic']);
    expect(await Promise.all(proxies.map((proxy) => proxy.append('x')))).toEqual([1, 1, 1]);
  });
});
