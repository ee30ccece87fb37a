import { readFile } from 'node:fs/promises';
import ssh2 from 'ssh2';
import { parseKnownHosts, type KnownHostsEntry } from '@hostgrid/transport-ssh';
import type { CheckOptions } from './check-args.js';
import { checkHost, hostWhere, type CheckContext, type HostReport } from './check-host.js';
import { formatHostLine, formatSummary, reportLayout } from './check-report.js';
import { CliUsageError, plainMessage } from './usage-error.js';

/**
 * Checks every host at once and writes one line per host, in the order given, each as
 * soon as it and the hosts before it are done; then a summary line. Nothing written ever
 * holds a secret: the key is read here and only its file is named.
 *
 * @param write - takes each line (without its newline)
 * @returns the reports, in the order given; the run passed when none has a `failure`
 * @throws {@link CliUsageError} when `--key` cannot be read or is not a usable private key,
 *   or the known_hosts file exists but cannot be read
 */
export async function runCheck(options: CheckOptions, write: (line: string) => void): Promise<HostReport[]> {
  const context: CheckContext = {
    options,
    ...(options.key === undefined ? {} : { key: { contents: await readKey(options.key), file: options.key } }),
    knownHosts: await readKnownHosts(options.knownHosts),
  };
  const layout = reportLayout(options.targets.map((target) => ({ name: target.name, where: hostWhere(target, options) })));
  const running = options.targets.map((target) => checkHost(target, context));
  const reports: HostReport[] = [];
  for (const report of running) {
    reports.push(await report);
    write(formatHostLine(reports.at(-1)!, layout));
  }
  write(formatSummary(reports));
  return reports;
}

async function readKey(file: string): Promise<Buffer> {
  let contents: Buffer;
  try {
    contents = await readFile(file);
  } catch (error) {
    throw new CliUsageError(`check: cannot read --key ${file}: ${plainMessage(error)}`);
  }
  // ssh2's own words say what is wrong (format, a passphrase it needs), never the key.
  const parsed = ssh2.utils.parseKey(contents);
  if (parsed instanceof Error) {
    const encrypted = /passphrase/i.test(parsed.message);
    throw new CliUsageError(`check: --key ${file} cannot be used: ${parsed.message}${encrypted ? ' (load it into ssh-agent with ssh-add and leave out --key)' : ''}`);
  }
  const key = Array.isArray(parsed) ? parsed[0] : parsed;
  if (key === undefined || !key.isPrivateKey()) throw new CliUsageError(`check: --key ${file} is not a private key (give the file without .pub)`);
  return contents;
}

async function readKnownHosts(file: string): Promise<KnownHostsEntry[]> {
  try {
    return parseKnownHosts(await readFile(file, 'utf8'));
  } catch (error) {
    // A missing file lists no host: each host's line then says how to add it.
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw new CliUsageError(`check: cannot read --known-hosts ${file}: ${plainMessage(error)}`);
  }
}
