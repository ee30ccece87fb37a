/**
 * Removes what crashed SSH test beds left behind: their processes, namespaces, veths,
 * bridges and temp dirs. Test beds whose owner process still runs are left alone.
 */
import { readdirSync, readlinkSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { requireSshInfrastructure } from './infrastructure.js';
import {
  BRIDGE_PATTERN,
  bridgeName,
  NAMESPACE_PATTERN,
  ownerAlive,
  readBridgeOwner,
  readDirOwner,
  removeLink,
  removeNamespace,
  VETH_PATTERN,
} from './network.js';
import {
  allPids,
  isGone,
  killUntilEmpty,
  linkExists,
  listLinks,
  listNamespaces,
  pidsInNetns,
  processCmdline,
  processExe,
} from './system.js';

function netnsInode(pid: number | 'self'): number | undefined {
  try {
    const match = /^net:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/ns/net`));
    return match ? Number(match[1]) : undefined;
  } catch {
    return undefined;
  }
}

/** Options of {@link cleanupSshLeftovers}. */
export interface CleanupOptions {
  /**
   * Also remove test beds whose owner process still runs.
   * @default false
   */
  readonly force?: boolean;
}

/** What {@link cleanupSshLeftovers} removed, and what it left because its owner runs. */
export interface CleanupReport {
  readonly namespaces: readonly string[];
  readonly links: readonly string[];
  readonly pids: readonly number[];
  readonly dirs: readonly string[];
  /** Bridges of live test beds, left alone (pass `force` to remove them too). */
  readonly kept: readonly string[];
}

const DIR_PREFIX = 'hostgrid-testbed-';

/**
 * Finds and removes the leftovers of SSH test beds whose owner process is gone (or all
 * of them, with `force`): processes in `hg<i>h<k>` namespaces, those namespaces, `hg<i>v<k>`
 * veths, `hgbr<i>` bridges, sshd processes still running a config from a dead test
 * bed's temp dir (with everything in their network namespace), and those temp dirs.
 *
 * @throws MissingInfrastructureError when `ip` or root is missing.
 */
export async function cleanupSshLeftovers(options: CleanupOptions = {}): Promise<CleanupReport> {
  const { ip, sshd } = requireSshInfrastructure();
  const report = { namespaces: [] as string[], links: [] as string[], pids: [] as number[], dirs: [] as string[] };

  // Whether an index belongs to a live test bed, judged afresh each time: a test bed
  // starting meanwhile makes its bridge, with its owner alias, before any namespace or
  // veth. A bridge without an alias yet is looked at again a moment later.
  const kept = new Set<string>();
  const isLive = async (index: number): Promise<boolean> => {
    if (options.force) return false;
    const bridge = bridgeName(index);
    if (!linkExists(bridge)) return false;
    let owner = readBridgeOwner(bridge);
    if (!owner) {
      await sleep(300);
      owner = readBridgeOwner(bridge);
    }
    const live = owner !== undefined && ownerAlive(owner);
    if (live) kept.add(bridge);
    return live;
  };
  for (const link of listLinks()) {
    const match = BRIDGE_PATTERN.exec(link);
    if (match) await isLive(Number(match[1]));
  }

  for (const namespace of listNamespaces()) {
    const match = NAMESPACE_PATTERN.exec(namespace);
    if (!match || (await isLive(Number(match[1])))) continue;
    report.pids.push(...(await removeNamespace(ip, namespace, undefined)));
    report.namespaces.push(namespace);
  }
  // Veths first: a bridge is deleted only once its ports are.
  const links = listLinks();
  for (const pattern of [VETH_PATTERN, BRIDGE_PATTERN]) {
    for (const link of links) {
      const match = pattern.exec(link);
      if (!match || (await isLive(Number(match[1])))) continue;
      await removeLink(ip, link);
      report.links.push(link);
    }
  }

  // Temp dirs of dead test beds, and any sshd still serving one of them: if its
  // namespace lost its name, the sshd and its sessions are found by its network namespace.
  const root = tmpdir();
  for (const entry of readdirSync(root)) {
    if (!entry.startsWith(DIR_PREFIX)) continue;
    const dir = join(root, entry);
    const owner = readDirOwner(dir);
    let abandoned: boolean;
    if (options.force) abandoned = true;
    else if (owner) abandoned = !ownerAlive(owner);
    else abandoned = Date.now() - statSync(dir).mtimeMs > 60_000;
    if (!abandoned) continue;
    for (const pid of allPids()) {
      if (processExe(pid) !== sshd || !processCmdline(pid)?.includes(`${dir}/`)) continue;
      const inode = netnsInode(pid);
      if (inode === undefined) continue;
      if (inode === netnsInode('self')) {
        // Never kill this machine's own namespace wholesale: only that sshd.
        report.pids.push(...(await killUntilEmpty(() => (isGone(pid) ? [] : [pid]), `pid ${pid}`)));
      } else {
        report.pids.push(...(await killUntilEmpty(() => pidsInNetns(inode), `the network namespace of pid ${pid}`)));
      }
    }
    rmSync(dir, { recursive: true, force: true });
    report.dirs.push(dir);
  }
  return { ...report, kept: [...kept] };
}
