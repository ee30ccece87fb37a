/**
 * Starting the daemons of a SLURM test bed: munged with its own key, slurmctld, and a
 * slurmd inside each node's network namespace with the node's own hostname.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, chownSync, readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { TestbedError } from './errors.js';
import { SlurmDaemon } from './slurm-daemon.js';
import type { SlurmInfrastructure } from './slurm-infrastructure.js';

/** uid and gid of a user, from /etc/passwd. */
function userIds(name: string): { uid: number; gid: number } {
  const line = readFileSync('/etc/passwd', 'utf8').split('\n').find((entry) => entry.startsWith(`${name}:`));
  const [, , uid, gid] = line?.split(':') ?? [];
  if (uid === undefined || gid === undefined) throw new TestbedError(`[testbed] no user "${name}" in /etc/passwd (install munge)`);
  return { uid: Number(uid), gid: Number(gid) };
}

/** Makes `mungeDir` (owned by munge) with a random 1 KiB key munge alone may read. */
export async function writeMungeKey(mungeDir: string): Promise<void> {
  const { uid, gid } = userIds('munge');
  await mkdir(mungeDir, { mode: 0o755 });
  await writeFile(join(mungeDir, 'munge.key'), randomBytes(1024), { mode: 0o400 });
  chownSync(join(mungeDir, 'munge.key'), uid, gid);
  chownSync(mungeDir, uid, gid);
  chmodSync(mungeDir, 0o755);
}

/** The socket {@link startMunged} makes in `mungeDir`. */
export const mungeSocket = (mungeDir: string): string => join(mungeDir, 'munge.socket');

/** munged in the foreground as user munge, its key, socket, log, pid and seed files in `mungeDir`. */
export function startMunged(infra: SlurmInfrastructure, mungeDir: string, env: NodeJS.ProcessEnv): Promise<SlurmDaemon> {
  return SlurmDaemon.start('munged', infra.setpriv, [
    '--reuid=munge', '--regid=munge', '--init-groups', infra.munged, '--foreground', `--socket=${mungeSocket(mungeDir)}`, `--key-file=${join(mungeDir, 'munge.key')}`,
    `--log-file=${join(mungeDir, 'munged.log')}`, `--pid-file=${join(mungeDir, 'munged.pid')}`, `--seed-file=${join(mungeDir, 'munged.seed')}`,
  ], env);
}

/** `slurmctld -D -i -f <conf>`. */
export function startSlurmctld(infra: SlurmInfrastructure, confPath: string, env: NodeJS.ProcessEnv): Promise<SlurmDaemon> {
  return SlurmDaemon.start('slurmctld', infra.slurmctld, ['-D', '-i', '-f', confPath], env);
}

/**
 * A node's slurmd: its own hostname (scontrol listpids and the tasks see the node's name)
 * and the node's network. `unshare` without `--fork`, `nsenter` for a network namespace
 * alone and `sh` all exec, so the pid is slurmd's. Not `ip netns exec`: it remounts /sys,
 * and slurmd then finds no cgroup file system.
 */
export function startSlurmd(infra: SlurmInfrastructure, node: { readonly name: string; readonly namespace: string }, confPath: string, env: NodeJS.ProcessEnv): Promise<SlurmDaemon> {
  return SlurmDaemon.start(`slurmd ${node.name}`, infra.unshare, [
    '--uts', infra.nsenter, `--net=/run/netns/${node.namespace}`, '/bin/sh', '-c', '"$1" "$2" && exec "$3" -D -N "$2" -f "$4"',
    'sh', infra.hostname, node.name, infra.slurmd, confPath,
  ], env);
}

/**
 * Polls `ready` every 50 ms until it holds.
 *
 * @throws TestbedError after `deadline` (a `Date.now()` value), quoting the last lines of
 *   each daemon's output; or whatever `ready` throws (a daemon that exited, say)
 */
export async function waitUntil(deadline: number, what: string, ready: () => Promise<boolean>, daemons: () => ReadonlyArray<SlurmDaemon | undefined>): Promise<void> {
  for (;;) {
    if (await ready()) return;
    if (Date.now() > deadline) {
      const logs = daemons()
        .filter((daemon): daemon is SlurmDaemon => daemon !== undefined)
        .map((daemon) => `${daemon.what}: ${daemon.output.trim().split('\n').slice(-3).join(' | ') || '(no output)'}`);
      throw new TestbedError(`[testbed] timed out waiting for ${what}; ${logs.join('; ')}`);
    }
    await sleep(50);
  }
}
