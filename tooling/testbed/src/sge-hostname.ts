/**
 * SGE's qmaster refuses a client whose address resolves back to another name than the
 * one it resolved itself, and nothing works when this machine's hostname does not
 * resolve at all. This finds the names SGE will meet (through NSS, as SGE resolves) so
 * the cell's `host_aliases` can make them one host, and adds an `/etc/hosts` line, owned
 * by this process and removed on teardown, when the hostname does not resolve.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { hostname as osHostname } from 'node:os';
import { runSge } from './sge-commands.js';

/** Where the line goes. */
export const ETC_HOSTS = '/etc/hosts';
/** The tag that marks a line the SGE test bed added; the rest of the comment names its owner. */
export const HOSTS_TAG = '# hostgrid-testbed-sge';

/** The owner written after {@link HOSTS_TAG}: a process, named for good by its start time. */
export interface HostsLineOwner {
  readonly pid: number;
  readonly start: number;
}

/** What SGE will see of this machine's name. */
export interface HostIdentity {
  /** `hostname`: the name SGE uses for the host in queues, `PE_HOSTFILE` and `qrsh -inherit`. */
  readonly hostname: string;
  /** Other names its addresses resolve back to (`localhost`, say), for `host_aliases`. */
  readonly aliases: readonly string[];
  /** The `/etc/hosts` line this test bed added, when the hostname did not resolve without it. */
  readonly addedLine: string | undefined;
}

async function getent(getentPath: string, database: string, key: string): Promise<string[][]> {
  const result = await runSge(getentPath, [database, key], { env: { PATH: '/usr/bin:/bin' }, timeoutMs: 10_000 });
  if (result.code !== 0) return [];
  return result.stdout
    .split('\n')
    .map((line) => line.trim().split(/\s+/))
    .filter((fields) => fields.length > 1 && fields[0] !== '');
}

/** Lines of /etc/hosts that some SGE test bed added (ours or another's). */
function taggedLines(text: string): string[] {
  return text.split('\n').filter((line) => line.includes(HOSTS_TAG));
}

function ownerTag(owner: HostsLineOwner): string {
  return `${HOSTS_TAG} pid=${owner.pid} start=${owner.start}`;
}

/** Parses the owner of a tagged line, or `undefined` when the line is not one of ours. */
export function hostsLineOwner(line: string): HostsLineOwner | undefined {
  const match = /# hostgrid-testbed-sge pid=(\d+) start=(\d+)\s*$/.exec(line);
  return match ? { pid: Number(match[1]), start: Number(match[2]) } : undefined;
}

/**
 * Works out this machine's names for SGE, adding an `/etc/hosts` line (`127.0.0.1
 * <hostname>`, tagged with `owner`) when the hostname does not resolve, or resolves only
 * through another test bed's line (which may go away before ours does).
 */
export async function prepareHostIdentity(getentPath: string, owner: HostsLineOwner): Promise<HostIdentity> {
  const hostname = osHostname();
  let addedLine: string | undefined;
  let addresses = (await getent(getentPath, 'ahostsv4', hostname)).map((fields) => fields[0]!);
  const borrowed = taggedLines(readFileSync(ETC_HOSTS, 'utf8')).some((line) => line.split(/\s+/).includes(hostname));
  if (addresses.length === 0 || borrowed) {
    addedLine = `127.0.0.1 ${hostname} ${ownerTag(owner)}`;
    const text = readFileSync(ETC_HOSTS, 'utf8');
    // Written in place: /etc/hosts is often a bind mount that a rename would not replace.
    writeFileSync(ETC_HOSTS, `${text}${text.endsWith('\n') || text === '' ? '' : '\n'}${addedLine}\n`);
    addresses = (await getent(getentPath, 'ahostsv4', hostname)).map((fields) => fields[0]!);
  }
  const aliases = new Set<string>();
  for (const address of new Set(addresses)) {
    for (const fields of await getent(getentPath, 'hosts', address)) {
      for (const name of fields.slice(1)) if (name !== hostname) aliases.add(name);
    }
  }
  return { hostname, aliases: [...aliases], addedLine };
}

/**
 * Removes tagged `/etc/hosts` lines: the one exact `line` given, or every tagged line
 * whose owner `match` picks. Untagged lines are never touched. Synchronous, for the exit
 * hook too; returns the lines removed.
 */
export function removeHostsLines(match: string | ((owner: HostsLineOwner) => boolean)): string[] {
  let text: string;
  try {
    text = readFileSync(ETC_HOSTS, 'utf8');
  } catch {
    return [];
  }
  const removed: string[] = [];
  const kept = text.split('\n').filter((line) => {
    const owner = hostsLineOwner(line);
    const drop = owner !== undefined && (typeof match === 'string' ? line === match : match(owner));
    if (drop) removed.push(line);
    return !drop;
  });
  if (removed.length > 0) writeFileSync(ETC_HOSTS, kept.join('\n'));
  return removed;
}
