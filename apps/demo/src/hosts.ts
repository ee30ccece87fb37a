/**
 * One host of a run as the command line gives it: `name`, or `name=address` for a host
 * reached at another address (SSH), and the slots (servers) it runs.
 */
export interface HostEntry {
  /** The host's name: how output, the live view and the report label its servers. */
  readonly name: string;
  /** Where to connect, when it is not `name` (SSH only). */
  readonly address?: string;
  /** Servers on this host, one replica each. */
  readonly slots: number;
}

/** A host list or a replica layout the command line cannot use; the message is one line. */
export class HostListError extends Error {
  override readonly name = 'HostListError';
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/**
 * Parses `--hosts h1,h2=10.0.0.2,…` into names and addresses, in order.
 *
 * @throws {@link HostListError} for an empty list or entry, a malformed name or address,
 *   or a name given twice
 */
export function parseHostList(text: string): Array<{ name: string; address?: string }> {
  const entries = text.split(',').map((entry) => entry.trim());
  if (entries.length === 0 || entries.every((entry) => entry === '')) throw new HostListError('--hosts needs at least one host name');
  const seen = new Set<string>();
  return entries.map((entry) => {
    if (entry === '') throw new HostListError(`--hosts has an empty entry in "${text}"`);
    const at = entry.indexOf('=');
    const name = at < 0 ? entry : entry.slice(0, at).trim();
    const address = at < 0 ? undefined : entry.slice(at + 1).trim();
    if (!NAME.test(name)) {
      throw new HostListError(`--hosts: "${name}" is not a host name (letters, digits, '.', '_' and '-'; use name=address for anything else)`);
    }
    if (address !== undefined && (address === '' || /\s/.test(address))) {
      throw new HostListError(`--hosts: host "${name}" has an empty or malformed address`);
    }
    if (seen.has(name)) throw new HostListError(`--hosts lists "${name}" twice; give each host once and set --slots`);
    seen.add(name);
    return address === undefined ? { name } : { name, address };
  });
}

/** What {@link layoutReplicas} decides: replicas, and the same slots on every host. */
export interface ReplicaLayout {
  /** Replicas = temperatures = servers. */
  readonly replicas: number;
  /** Slots per host. */
  readonly slots: number;
}

/**
 * Puts one replica on each server: replicas must equal hosts × slots.
 *
 * - `--slots` and `--replicas` both given: they must agree;
 * - only `--slots`: replicas = hosts × slots;
 * - only `--replicas` (or neither, with its default): slots = replicas / hosts, which must
 *   divide evenly (one host, the local default, takes all replicas).
 *
 * @param replicas - `--replicas`, or undefined when not given
 * @param fallbackReplicas - the default number of replicas
 * @param hosts - how many hosts
 * @param slots - `--slots`, or undefined when not given
 * @param maxReplicas - the most replicas a run may have
 * @throws {@link HostListError} when replicas cannot be exactly one per server
 */
export function layoutReplicas(
  replicas: number | undefined,
  fallbackReplicas: number,
  hosts: number,
  slots: number | undefined,
  maxReplicas: number,
): ReplicaLayout {
  const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;
  if (slots !== undefined) {
    const total = hosts * slots;
    if (replicas !== undefined && replicas !== total) {
      throw new HostListError(
        `--replicas ${replicas} does not match ${plural(hosts, 'host')} x ${plural(slots, 'slot')} = ${total} servers; one replica runs on each server`,
      );
    }
    if (total < 2 || total > maxReplicas) {
      throw new HostListError(`${plural(hosts, 'host')} x ${plural(slots, 'slot')} = ${total} servers; replica exchange needs 2 to ${maxReplicas}`);
    }
    return { replicas: total, slots };
  }
  const wanted = replicas ?? fallbackReplicas;
  if (wanted % hosts !== 0) {
    throw new HostListError(`${wanted} replicas do not split evenly over ${plural(hosts, 'host')}; give --slots (replicas = hosts x slots)`);
  }
  return { replicas: wanted, slots: wanted / hosts };
}
