/**
 * The SSH transport on real sshd hosts (network namespaces on this machine, from
 * `@hostgrid/testbed`; needs root): calls through Hostgrid against a raw ssh2 exec
 * channel answering the same frames, the time to start a grid on 1 and on 3 hosts, and
 * how long a host whose link goes down takes to be declared lost.
 */
import { Client, type ClientChannel } from 'ssh2';
import { readFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Grid, type ServiceProxy } from '@hostgrid/core';
import { startSshHosts, type SshTestbed } from '@hostgrid/testbed';
import { sshTransport } from '@hostgrid/transport-ssh';
import { Adder } from './adder.js';
import { FloorClient } from './floor-client.js';
import { roundTrip, summary, throughput, type Call } from './measure.js';
import { pair, row, type Row } from './table.js';

const FLOOR = 'raw ssh2 exec channel';
const HERE = dirname(fileURLToPath(import.meta.url));

/** A raw ssh2 connection (Nagle off, as the transport does) running the floor worker over its exec channel. */
async function rawFloor(bed: SshTestbed): Promise<{ floor: FloorClient; close: () => Promise<void> }> {
  const host = bed.hosts[0]!;
  const socket = connect({ host: host.address, port: host.port });
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  socket.setNoDelay(true);
  const client = new Client();
  const hostKey = Buffer.from(host.hostKey, 'base64');
  const privateKey = await readFile(bed.privateKeyPath);
  await new Promise<void>((resolve, reject) => {
    client.once('ready', () => resolve()).once('error', reject);
    client.connect({ sock: socket, username: bed.user, privateKey, hostVerifier: (key: Buffer) => key.equals(hostKey) });
  });
  // The test hosts share this machine's files, so the floor worker runs from here.
  const stream = await new Promise<ClientChannel>((resolve, reject) =>
    client.exec(`exec ${process.execPath} ${HERE}/floor-worker.js --stdio`, (error, channel) => (error ? reject(error) : resolve(channel))),
  );
  const floor = await FloorClient.over(stream);
  return {
    floor,
    close: async () => {
      await floor[Symbol.asyncDispose]();
      client.end();
    },
  };
}

/** Runs the SSH group. */
export async function benchSsh(rounds: number, quick: boolean): Promise<{ rows: Row[]; notes: string[] }> {
  const bed = await startSshHosts({ count: 3, name: 'bench' });
  const transport = (): ReturnType<typeof sshTransport> => sshTransport({ user: bed.user, privateKey: bed.privateKeyPath, knownHosts: bed.knownHostsPath });
  const hosts = (n: number): { name: string; address: string }[] => bed.hosts.slice(0, n).map((host) => ({ name: host.name, address: host.address }));
  try {
    const rows: Row[] = [];
    const raw = await rawFloor(bed);
    const grid = await Grid.start({ hosts: hosts(1), transport: transport() });
    try {
      await grid.copyFiles(HERE, ['adder.js']);
      const id = await grid.publish(new Adder());
      const proxy: ServiceProxy<Adder> = await grid.acquireService<Adder>(id);
      const gridCall: Call = () => proxy.add(1, 2);
      const floorCall: Call = () => raw.floor.call('add', [1, 2]);
      await throughput([gridCall, floorCall], 256, 300);
      const calls = quick ? 300 : 2000;
      const [f, h] = await pair(rounds, async () => (await roundTrip(floorCall, calls)).p50, async () => (await roundTrip(gridCall, calls)).p50);
      rows.push(row('tiny-call round trip p50, over SSH', 'free', 'µs', FLOOR, f, h, { kind: 'at most', ratio: 1.5 }));
      const ms = quick ? 150 : 500;
      const [ft, ht] = await pair(rounds, () => throughput([floorCall], 256, ms), () => throughput([gridCall], 256, ms));
      rows.push(row('pipelined, 256 in flight, over SSH', 'free', 'calls/s', FLOOR, ft, ht, { kind: 'at least', ratio: 0.67 }));
    } finally {
      await grid.terminate({ cleanup: true });
      await raw.close();
    }

    const start = async (n: number): Promise<number> => {
      const began = performance.now();
      const g = await Grid.start({ hosts: hosts(n), transport: transport() });
      const took = performance.now() - began;
      await g.terminate({ cleanup: true });
      return took;
    };
    const [one, three] = await pair(rounds, () => start(1), () => start(3));
    rows.push(row('Grid.start, 1 slot per host: 3 hosts against 1', 'free', 'ms', 'Grid.start on 1 host', one, three, { kind: 'at most', ratio: 1.5 }));

    const detections: number[] = [];
    for (let r = 0; r < Math.min(rounds, 3); r++) {
      const victim = bed.hosts[2]!;
      const g = await Grid.start({ hosts: hosts(3), transport: transport(), heartbeat: { intervalMs: 200, misses: 3 } });
      try {
        // Losses are reported per server of a published service.
        await g.copyFiles(HERE, ['adder.js']);
        await g.publish(new Adder());
        const lost = new Promise<void>((resolve) => g.once('server-lost', () => resolve()));
        const began = performance.now();
        await bed.linkDown(victim);
        await lost;
        detections.push(performance.now() - began);
      } finally {
        await bed.linkUp(victim);
        await g.terminate({ cleanup: true });
      }
    }
    const d = summary(detections);
    const notes = [
      `A host whose link goes down (\`ip link set … down\`: no FIN, no RST) is declared lost ${d.median.toFixed(0)} ms (${d.min.toFixed(0)}–${d.max.toFixed(0)}) after the cut, with heartbeat 200 ms × 3 misses (window 600 ms).`,
      'All "hosts" share this machine\'s 2 CPUs, so start-up work that would run on separate machines (sshd, the login shell, node) competes here.',
    ];
    return { rows, notes };
  } finally {
    await bed[Symbol.asyncDispose]();
  }
}
