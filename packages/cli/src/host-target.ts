import { isIPv6 } from 'node:net';
import { CliUsageError } from './usage-error.js';

/**
 * One host to check, as the command line gives it: `[user@]name[=address][:port]`. The
 * name labels the host (as `--hosts name=address` does in the demo); the address is where
 * to connect; user and port, when given here, win over `--user` and `--port`.
 */
export interface HostTarget {
  /** How output names the host (and the grid's host name in the worker check). */
  readonly name: string;
  /** Where to connect: a host name, an IPv4 address or an IPv6 address (without brackets). */
  readonly address: string;
  /** The login user, when the entry has `user@`. */
  readonly user?: string;
  /** The SSH port, when the entry has `:port`. */
  readonly port?: number;
}

/** The host syntax, for messages. */
export const HOST_SYNTAX = '[user@]name[=address][:port], e.g. root@h1=10.0.0.11:22';

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
const USER = /^[A-Za-z0-9._][A-Za-z0-9._-]*$/;
const ADDRESS = /^[A-Za-z0-9._:%-]+$/;

/**
 * Parses one host entry, `[user@]name[=address][:port]`. An IPv6 address with a port
 * goes in brackets (`[fe80::1]:2222`); one without a port may be bare.
 *
 * @param entry - the entry as typed
 * @param where - where it came from, for messages (e.g. `hosts.txt:3`)
 * @throws {@link CliUsageError} naming the entry and what is wrong with it
 */
export function parseHostTarget(entry: string, where?: string): HostTarget {
  const text = entry.trim();
  const bad = (why: string): CliUsageError =>
    new CliUsageError(`bad host ${JSON.stringify(entry)}${where === undefined ? '' : ` (${where})`}: ${why} (hosts are ${HOST_SYNTAX})`);
  if (text === '') throw bad('it is empty');
  if (/\s/.test(text)) throw bad('it has a space in it');
  let rest = text;
  let user: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    user = rest.slice(0, at);
    rest = rest.slice(at + 1);
    if (!USER.test(user)) throw bad(user === '' ? 'the user before "@" is empty' : `"${user}" is not a user name`);
    if (rest.includes('@')) throw bad('it has more than one "@"');
  }
  let name: string | undefined;
  const eq = rest.indexOf('=');
  if (eq >= 0) {
    name = rest.slice(0, eq);
    rest = rest.slice(eq + 1);
    if (!NAME.test(name)) throw bad(name === '' ? 'the name before "=" is empty' : `"${name}" is not a host name (letters, digits, '.', '_' and '-')`);
  }
  const { address, port } = splitPort(rest, bad);
  if (address === '') throw bad('the address is empty');
  if (!ADDRESS.test(address)) throw bad(`"${address}" is not a host name or address`);
  return { name: name ?? address, address, ...(user === undefined ? {} : { user }), ...(port === undefined ? {} : { port }) };
}

function splitPort(text: string, bad: (why: string) => CliUsageError): { address: string; port?: number } {
  let address = text;
  let port: string | undefined;
  if (text.startsWith('[')) {
    const close = text.indexOf(']');
    if (close < 0) throw bad('"[" without "]"');
    address = text.slice(1, close);
    if (!isIPv6(address)) throw bad(`"${address}" in brackets is not an IPv6 address`);
    const after = text.slice(close + 1);
    if (after !== '') {
      if (!after.startsWith(':')) throw bad(`"${after}" after "]" (only :port may follow)`);
      port = after.slice(1);
    }
  } else {
    const colons = text.split(':').length - 1;
    if (colons === 1) [address, port] = text.split(':') as [string, string];
    // Two colons or more: a bare IPv6 address, which cannot carry a port without brackets.
    else if (colons > 1 && !isIPv6(text)) throw bad('more than one ":" (an IPv6 address with a port goes in brackets: [fe80::1]:22)');
  }
  if (port === undefined) return { address };
  const value = /^\d{1,5}$/.test(port) ? Number(port) : Number.NaN;
  if (!(value >= 1 && value <= 65_535)) throw bad(`the port must be a whole number from 1 to 65535, got "${port}"`);
  return { address, port: value };
}

/**
 * Parses a hosts file: one host per line in the syntax of {@link parseHostTarget}; blank
 * lines and everything after a `#` are ignored.
 *
 * @param text - the file's contents
 * @param file - its name, for messages
 * @throws {@link CliUsageError} naming the file and line of a bad entry
 */
export function parseHostsFile(text: string, file: string): HostTarget[] {
  const targets: HostTarget[] = [];
  text.split(/\r?\n/).forEach((line, index) => {
    const entry = line.replace(/#.*$/, '').trim();
    if (entry !== '') targets.push(parseHostTarget(entry, `${file}:${index + 1}`));
  });
  return targets;
}

/**
 * Refuses a host list that is empty or names a host twice.
 *
 * @throws {@link CliUsageError} naming the repeated host
 */
export function checkHostList(targets: readonly HostTarget[]): void {
  if (targets.length === 0) throw new CliUsageError('no hosts to check: give them as arguments, with --hosts a,b or with --hosts-file FILE');
  const seen = new Set<string>();
  for (const target of targets) {
    if (seen.has(target.name)) throw new CliUsageError(`host "${target.name}" is given twice; give each host once (name=address tells two apart)`);
    seen.add(target.name);
  }
}
