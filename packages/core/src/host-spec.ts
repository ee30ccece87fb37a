/**
 * One host of a grid, as the user describes it: the seed's
 * `Host(name, temp_path, n_cpu, niceness, python, init_cmd)`. Transports may read
 * fields of their own (an SSH user, a port) from the same object.
 */
export interface HostSpec {
  /** The host's name: what a transport connects to, and how errors and events name it. */
  readonly name: string;
  /** How many servers (worker processes) the host runs, one per slot. @defaultValue 1 */
  readonly slots?: number;
  /** A folder on the host for the grid's files. @defaultValue a new folder under the host's temporary directory */
  readonly tempPath?: string;
  /** `nice` level of the host's workers (0 to 19). @defaultValue 0 */
  readonly niceness?: number;
  /** The Node.js executable on the host. @defaultValue `"node"` (the controller's own `process.execPath` for local hosts) */
  readonly node?: string;
  /** A shell command run before each worker starts (e.g. `"module load node"`). */
  readonly initCmd?: string;
  /** Extra environment variables for the host's workers. */
  readonly env?: Readonly<Record<string, string>>;
  /** Transport-specific fields (SSH user, port, key, …). */
  readonly [field: string]: unknown;
}

/** A {@link HostSpec} with its defaults filled in, as transports receive it. */
export interface ResolvedHost extends HostSpec {
  readonly slots: number;
  readonly niceness: number;
  readonly env: Readonly<Record<string, string>>;
}

/**
 * Checks the user's host list and fills in defaults.
 *
 * @throws TypeError naming the host and the field when a host is malformed or a name repeats
 */
export function resolveHosts(hosts: ReadonlyArray<string | HostSpec>): ResolvedHost[] {
  if (!Array.isArray(hosts) || hosts.length === 0) {
    throw new TypeError('[hostgrid] "hosts" must be a non-empty array of host names or HostSpec objects');
  }
  const seen = new Set<string>();
  return hosts.map((entry, index) => {
    const spec: HostSpec = typeof entry === 'string' ? { name: entry } : entry;
    if (typeof spec !== 'object' || spec === null || typeof spec.name !== 'string' || spec.name.trim() === '') {
      throw new TypeError(`[hostgrid] hosts[${index}] must be a host name or an object with a non-empty "name"`);
    }
    const where = `host "${spec.name}"`;
    if (seen.has(spec.name)) throw new TypeError(`[hostgrid] ${where} is listed twice; give each host one entry and set "slots"`);
    seen.add(spec.name);
    const slots = spec.slots ?? 1;
    if (!Number.isInteger(slots) || slots < 1) throw new TypeError(`[hostgrid] ${where}: "slots" must be a positive integer, got ${String(spec.slots)}`);
    const niceness = spec.niceness ?? 0;
    if (!Number.isInteger(niceness) || niceness < 0 || niceness > 19) {
      throw new TypeError(`[hostgrid] ${where}: "niceness" must be an integer from 0 to 19, got ${String(spec.niceness)}`);
    }
    for (const key of ['tempPath', 'node', 'initCmd'] as const) {
      if (spec[key] !== undefined && typeof spec[key] !== 'string') throw new TypeError(`[hostgrid] ${where}: "${key}" must be a string`);
    }
    const env = spec.env ?? {};
    if (typeof env !== 'object' || env === null || Object.values(env).some((v) => typeof v !== 'string')) {
      throw new TypeError(`[hostgrid] ${where}: "env" must map names to strings`);
    }
    const badName = Object.keys(env).find((name) => !/^[A-Za-z_][A-Za-z0-9_]*$/.test(name));
    if (badName !== undefined) throw new TypeError(`[hostgrid] ${where}: "env" has a name that is not a valid variable name: ${JSON.stringify(badName)}`);
    return { ...spec, slots, niceness, env };
  });
}
