/**
 * A real SLURM cluster on this machine: a private munged, slurmctld on the bridge
 * address, and one slurmd per network-namespace node, each with its own address and
 * hostname. Stopped, to the last process, when the test ends.
 */
import { TestbedError } from './errors.js';
import { ExitHookSet, startOrRemove } from './lifecycle.js';
import { MAX_HOSTS } from './network.js';
import { SlurmCluster } from './slurm-cluster.js';
import { requireSlurmInfrastructure } from './slurm-infrastructure.js';
import type { SlurmTestbed, StartSlurmOptions } from './slurm-testbed.js';

/** Clusters not yet stopped, stopped synchronously if the process exits first. */
const registry = new ExitHookSet<SlurmCluster>((cluster) => cluster.teardownSync());

/**
 * Stands up a SLURM 22.05 cluster of `nodes` nodes on this machine (about 1.5 s once
 * installed): a private munged (its own key and socket), slurmctld listening on the
 * bridge address, and per node a network namespace with its own address and hostname
 * (`h1`, `h2`, …) running slurmd, all nodes idle in partition `hostgrid`. Child
 * processes reach it with `bed.env` (`SLURM_CONF`).
 *
 * @example
 * ```ts
 * await using bed = await startSlurm({ nodes: 3 });
 * await using allocation = await bed.salloc({ tasksPerNode: 2 });
 * // allocation.env: SLURM_JOB_ID, SLURM_JOB_NODELIST=h[1-3], SLURM_TASKS_PER_NODE=2(x3), SLURM_CONF
 * await bed.cutNode('h2');   // h2 vanishes; slurmctld sets it DOWN after ~SlurmdTimeout + a ping period
 * ```
 * @throws MissingInfrastructureError when SLURM, munge, util-linux, iproute2 or root is missing.
 * @throws TestbedStartError when something failed half way (its message quotes the
 *   daemon that failed); everything made was removed.
 */
export async function startSlurm(options: StartSlurmOptions = {}): Promise<SlurmTestbed> {
  const infra = requireSlurmInfrastructure();
  const count = options.nodes ?? 3;
  if (!Number.isInteger(count) || count < 1 || count > MAX_HOSTS) throw new TestbedError(`[testbed] nodes must be an integer from 1 to ${MAX_HOSTS}, not ${count}`);
  const label = options.name ?? 'slurm';
  if (!/^[\w-]{1,40}$/.test(label)) throw new TestbedError(`[testbed] name must be 1 to 40 letters, digits, "-" or "_", not ${JSON.stringify(label)}`);
  const cluster = new SlurmCluster(infra, label, registry);
  return startOrRemove(cluster, () => cluster.start(count, options), `a SLURM cluster of ${count} nodes`, () => cluster.made());
}
