/**
 * The test bed's network: one bridge per test bed in the root namespace, one network
 * namespace per host joined to it by a veth pair. Names carry the test bed's index so
 * that test beds started at once by parallel test files never collide, and so that
 * `hostgrid-testbed ssh cleanup` can find the leftovers of a crashed one.
 *
 * | what | name | address |
 * | --- | --- | --- |
 * | bridge (root namespace) | `hgbr<index>` | `10.200.<index>.1/24` |
 * | host k's namespace | `hg<index>h<k>` | |
 * | host k's veth, root side | `hg<index>v<k>` | |
 * | host k's veth, inside | `eth0` | `10.200.<index>.<10+k>/24` |
 *
 * No default route, no forwarding, no NAT: traffic stays between the hosts and the root
 * namespace.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { TestbedError } from './errors.js';
import {
  isGone,
  killUntilEmpty,
  killUntilEmptySync,
  linkExists,
  listLinks,
  listNamespaces,
  namespaceInode,
  NETNS_DIR,
  pidsInNetns,
  processStartTime,
  run,
  runOk,
} from './system.js';

/** Highest test bed index: the third byte of `10.200.<index>.0/24`. */
export const MAX_INDEX = 254;
/** Most hosts per test bed: addresses `.11` to `.210`. */
export const MAX_HOSTS = 200;

export const bridgeName = (index: number): string => `hgbr${index}`;
export const namespaceName = (index: number, k: number): string => `hg${index}h${k}`;
export const vethName = (index: number, k: number): string => `hg${index}v${k}`;
export const bridgeAddress = (index: number): string => `10.200.${index}.1`;
export const hostAddress = (index: number, k: number): string => `10.200.${index}.${10 + k}`;

export const BRIDGE_PATTERN = /^hgbr(\d+)$/;
export const NAMESPACE_PATTERN = /^hg(\d+)h(\d+)$/;
export const VETH_PATTERN = /^hg(\d+)v(\d+)$/;

/** Who made a test bed: written into its bridge's alias and its temp dir's `owner.json`. */
export interface Owner {
  readonly pid: number;
  /** The owner's start time (clock ticks since boot), so that a reused pid is not taken for it. */
  readonly start: number;
  readonly name: string;
  readonly dir: string;
}

export function currentOwner(name: string, dir: string): Owner {
  return { pid: process.pid, start: processStartTime('self') ?? 0, name, dir };
}

const ALIAS_TAG = 'hostgrid-testbed';

function ownerAlias(owner: Owner): string {
  return `${ALIAS_TAG} pid=${owner.pid} start=${owner.start} name=${owner.name} dir=${owner.dir}`;
}

/** The owner recorded on a bridge, or `undefined` when it has none (yet). */
export function readBridgeOwner(bridge: string): Owner | undefined {
  let alias: string;
  try {
    alias = readFileSync(`/sys/class/net/${bridge}/ifalias`, 'utf8').trim();
  } catch {
    return undefined;
  }
  const match = /^hostgrid-testbed pid=(\d+) start=(\d+) name=(\S*) dir=(.*)$/.exec(alias);
  if (!match) return undefined;
  return { pid: Number(match[1]), start: Number(match[2]), name: match[3] ?? '', dir: match[4] ?? '' };
}

/** The owner recorded in a test bed dir's `owner.json`, or `undefined` when it has none (yet) or it is unreadable. */
export function readDirOwner(dir: string): Pick<Owner, 'pid' | 'start'> | undefined {
  try {
    const owner: unknown = JSON.parse(readFileSync(join(dir, 'owner.json'), 'utf8'));
    if (typeof owner === 'object' && owner !== null && 'pid' in owner && 'start' in owner) {
      const { pid, start } = owner;
      if (typeof pid === 'number' && typeof start === 'number') return { pid, start };
    }
  } catch {
    // No owner.json yet, or being written or removed right now.
  }
  return undefined;
}

/** Whether the process that made a test bed still runs (same pid and start time). */
export function ownerAlive(owner: Pick<Owner, 'pid' | 'start'>): boolean {
  return !isGone(owner.pid) && processStartTime(owner.pid) === owner.start;
}

/** Indices some bridge, namespace, veth or root-namespace address already uses. */
async function usedIndices(ip: string): Promise<Set<number>> {
  const used = new Set<number>();
  for (const link of listLinks()) {
    const match = BRIDGE_PATTERN.exec(link) ?? VETH_PATTERN.exec(link);
    if (match) used.add(Number(match[1]));
  }
  for (const namespace of listNamespaces()) {
    const match = NAMESPACE_PATTERN.exec(namespace);
    if (match) used.add(Number(match[1]));
  }
  // An address in 10.200.<index>.0/24 on any interface (ours or anybody's) rules it out.
  const addresses = await runOk('listing addresses', ip, ['-4', '-o', 'addr', 'show']);
  for (const match of addresses.matchAll(/\binet 10\.200\.(\d+)\./g)) used.add(Number(match[1]));
  return used;
}

/**
 * Claims the lowest free index by creating its bridge: `ip link add` fails when the
 * name exists, so two processes racing for the same index cannot both win. Then records
 * the owner in the bridge's alias, gives it `10.200.<index>.1/24` and brings it up.
 *
 * @returns the index claimed; its bridge exists from then on.
 * @throws TestbedError when every index is taken (run `hostgrid-testbed ssh cleanup`).
 */
export async function claimBridge(ip: string, owner: Owner, onClaimed: (index: number) => void): Promise<number> {
  const used = await usedIndices(ip);
  for (let index = 0; index <= MAX_INDEX; index += 1) {
    if (used.has(index)) continue;
    const bridge = bridgeName(index);
    const result = await run(ip, ['link', 'add', 'name', bridge, 'type', 'bridge']);
    if (result.code !== 0) {
      if (/exists/i.test(result.stderr)) continue;
      throw new TestbedError(`[testbed] cannot create bridge ${bridge}: ${result.stderr.trim()}`);
    }
    onClaimed(index);
    await runOk(`naming the owner of ${bridge}`, ip, ['link', 'set', 'dev', bridge, 'alias', ownerAlias(owner)]);
    await runOk(`addressing ${bridge}`, ip, ['addr', 'add', `${bridgeAddress(index)}/24`, 'dev', bridge]);
    await runOk(`bringing ${bridge} up`, ip, ['link', 'set', 'dev', bridge, 'up']);
    return index;
  }
  throw new TestbedError(
    `[testbed] no free test bed index (bridges hgbr0…hgbr${MAX_INDEX} or their subnets are all in use); ` +
      'remove leftovers with `hostgrid-testbed ssh cleanup`',
  );
}

/**
 * Makes host k's namespace and joins it to the bridge.
 *
 * @param onNamespace called with the namespace's inode as soon as it exists, so that
 *   teardown can find its processes even if a later step fails.
 */
export async function addHost(
  ip: string,
  index: number,
  k: number,
  onNamespace: (inode: number) => void,
): Promise<void> {
  const namespace = namespaceName(index, k);
  const veth = vethName(index, k);
  await runOk(`creating namespace ${namespace}`, ip, ['netns', 'add', namespace]);
  const inode = namespaceInode(namespace);
  if (inode === undefined) throw new TestbedError(`[testbed] namespace ${namespace} vanished right after it was made`);
  onNamespace(inode);
  await runOk(`creating veth ${veth}`, ip, ['link', 'add', veth, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', namespace]);
  await runOk(`joining ${veth} to the bridge`, ip, ['link', 'set', 'dev', veth, 'master', bridgeName(index), 'up']);
  const inside = (what: string, args: readonly string[]): Promise<string> =>
    runOk(`${what} in ${namespace}`, ip, ['-n', namespace, ...args]);
  await inside('addressing eth0', ['addr', 'add', `${hostAddress(index, k)}/24`, 'dev', 'eth0']);
  await inside('bringing eth0 up', ['link', 'set', 'dev', 'eth0', 'up']);
  await inside('bringing lo up', ['link', 'set', 'dev', 'lo', 'up']);
}

/** Deletes a link of the root namespace if it exists (a veth takes its peer with it). */
export async function removeLink(ip: string, name: string): Promise<void> {
  if (!linkExists(name)) return;
  const result = await run(ip, ['link', 'del', 'dev', name]);
  if (result.code !== 0 && linkExists(name)) {
    throw new TestbedError(`[testbed] cannot delete link ${name}: ${result.stderr.trim()}`);
  }
}

/**
 * Removes a namespace for good: kills every process in it (deleting a namespace does
 * not), deletes its name, then kills anything that forked in between, found by inode.
 *
 * @returns the pids it killed.
 */
export async function removeNamespace(ip: string, namespace: string, knownInode: number | undefined): Promise<number[]> {
  const inode = knownInode ?? namespaceInode(namespace);
  const killed: number[] = [];
  if (inode !== undefined) killed.push(...(await killUntilEmpty(() => pidsInNetns(inode), `namespace ${namespace}`)));
  if (existsSync(`${NETNS_DIR}/${namespace}`)) {
    const result = await run(ip, ['netns', 'del', namespace]);
    if (result.code !== 0 && existsSync(`${NETNS_DIR}/${namespace}`)) {
      throw new TestbedError(`[testbed] cannot delete namespace ${namespace}: ${result.stderr.trim()}`);
    }
  }
  if (inode !== undefined) killed.push(...(await killUntilEmpty(() => pidsInNetns(inode), `namespace ${namespace}`)));
  return killed;
}

/** `removeNamespace` and `removeLink` for the exit hook, where nothing asynchronous runs. Never throws. */
export function removeSync(ip: string, namespaces: ReadonlyArray<{ name: string; inode: number | undefined }>, links: readonly string[]): void {
  const quietly = (f: () => void): void => {
    try {
      f();
    } catch {
      // Best effort at exit: `hostgrid-testbed ssh cleanup` removes whatever is left.
    }
  };
  for (const { name, inode: known } of namespaces) {
    const inode = known ?? namespaceInode(name);
    if (inode !== undefined) quietly(() => killUntilEmptySync(() => pidsInNetns(inode)));
    if (existsSync(`${NETNS_DIR}/${name}`)) quietly(() => execFileSync(ip, ['netns', 'del', name], { stdio: 'ignore' }));
    if (inode !== undefined) quietly(() => killUntilEmptySync(() => pidsInNetns(inode)));
  }
  for (const link of links) {
    if (linkExists(link)) quietly(() => execFileSync(ip, ['link', 'del', 'dev', link], { stdio: 'ignore' }));
  }
}
