/**
 * The controller: starts the grid, publishes the service onto every worker slot, calls
 * it, and stops the grid (`await using`) when it is done. `npm start` compiles src/ and
 * runs this file once.
 */
import { availableParallelism } from 'node:os';
import { Grid, type GridOptions } from '@hostgrid/core';
import { localTransport } from '@hostgrid/transport-local';
// import { sshTransport } from '@hostgrid/transport-ssh';
// import { wsTransport } from '@hostgrid/transport-ws';
// import { slurmHosts, slurmTransport } from '@hostgrid/launcher-slurm';
import { PiSampler, type Sample } from './service.js';

// Where the workers run: this machine, one slot (a worker process) per CPU, up to 4.
let options: GridOptions = { hosts: [{ name: 'local', slots: Math.min(4, availableParallelism()) }], transport: localTransport() };

// To run elsewhere: `npm install` the package a block names, uncomment its import above and
// its `options = …` lines (they replace the local ones), and, for SSH and WebSocket, the
// copyFiles line below.

// SSH (@hostgrid/transport-ssh): machines you log in to; their keys must be in ~/.ssh/known_hosts.
// options = {
//   hosts: [{ name: 'node-1', slots: 4 }, { name: 'node-2', slots: 4, user: 'alice', port: 2222 }],
//   transport: sshTransport({ user: 'alice', privateKey: '/home/alice/.ssh/id_ed25519' }),
// };

// WebSocket (@hostgrid/transport-ws): machines dial in. Give the controller and every host the
// same HOSTGRID_TOKEN (16 characters or more), then on each host run
//   npx -p @hostgrid/worker hostgrid-worker --connect ws://<this machine>:7000 --host gpu1 --slots 8
// options = {
//   hosts: [{ name: 'gpu1', slots: 8 }, { name: 'gpu2', slots: 8 }],
//   transport: await wsTransport({ listen: { host: '0.0.0.0', port: 7000 }, token: process.env.HOSTGRID_TOKEN ?? '' }),
// };

// SLURM (@hostgrid/launcher-slurm): inside an allocation, e.g.
//   salloc --nodes=2 --ntasks-per-node=4 --no-kill npm start
// The nodes read dist/ and the grid's folder through the shared file system.
// options = {
//   hosts: slurmHosts(),
//   transport: slurmTransport(),
//   sharedTempPath: `${process.cwd()}/.hostgrid-${process.env.SLURM_JOB_ID}`,
// };

await using grid = await Grid.start(options);
// await grid.copyFiles(import.meta.dirname, ['*.js']);

const id = await grid.publish(new PiSampler());

// One call on every server at once; each copy draws its own points.
const samples = await grid.gather(grid.broadcast<Sample>(id, 'sample', 1_000_000));

// A proxy holds one server: its calls are sent at once and run there one after the other.
const sampler = await grid.acquireService<PiSampler>(id);
const [first, second] = await Promise.all([sampler.sample(100_000), sampler.sample(100_000)]);
grid.releaseService(sampler);
samples.push(first, second);

for (const s of samples) {
  console.log(`answered by ${s.host} pid ${s.pid}: ${s.inside} of ${s.points} points inside (this copy has drawn ${s.drawn})`);
}
const inside = samples.reduce((sum, s) => sum + s.inside, 0);
const points = samples.reduce((sum, s) => sum + s.points, 0);
console.log(`pi is about ${((4 * inside) / points).toFixed(4)} (${samples.length} calls, ${points} points)`);
