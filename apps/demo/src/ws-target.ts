import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { HostSpec } from '@hostgrid/core';
import type { GridTarget } from './grid-transport.js';
import type { WsFlags } from './ws-args.js';

/** Where a token the demo made is written, in the output folder (mode 600). */
export const TOKEN_FILE = 'hostgrid-token';

/**
 * The grid's token: the first line of `--token-file`, else `HOSTGRID_TOKEN`, else a new
 * one written to `<outDir>/hostgrid-token` for the hosts' agents to read.
 *
 * @returns the token, and the file the agents can read it from (absent when it came from the environment)
 */
async function tokenOf(flags: WsFlags, outDir: string, generate: () => string): Promise<{ token: string; file?: string }> {
  if (flags.tokenFile !== undefined) {
    const token = (await readFile(flags.tokenFile, 'utf8')).split('\n')[0]!.trim();
    return { token, file: flags.tokenFile };
  }
  const fromEnv = process.env.HOSTGRID_TOKEN;
  if (fromEnv !== undefined && fromEnv !== '') return { token: fromEnv };
  const token = generate();
  await mkdir(outDir, { recursive: true });
  const file = join(outDir, TOKEN_FILE);
  await writeFile(file, `${token}\n`, { mode: 0o600 });
  await chmod(file, 0o600);
  return { token, file };
}

/**
 * The WebSocket transport, listening, and the lines to print: the command each host runs
 * to dial in (`npx @hostgrid/cli agent --connect …`). Loaded only when `--transport ws` is used.
 *
 * @throws when a file cannot be read or the address cannot be listened on
 */
export async function wsTarget(flags: WsFlags, hosts: HostSpec[], outDir: string): Promise<GridTarget> {
  const { generateToken, wsTransport } = await import('@hostgrid/transport-ws');
  const { token, file } = await tokenOf(flags, outDir, generateToken);
  const tls = flags.tls === undefined ? undefined : { cert: await readFile(flags.tls.cert), key: await readFile(flags.tls.key) };
  const transport = await wsTransport({ listen: { host: flags.host, port: flags.port }, token, joinTimeoutMs: flags.joinTimeoutMs, ...(tls === undefined ? {} : { tls }) });
  // Every address: tell the hosts this machine's name, which they can resolve.
  const dialHost = flags.host === '0.0.0.0' || flags.host === '::' ? hostname() : flags.host.includes(':') ? `[${flags.host}]` : flags.host;
  const url = `${tls === undefined ? 'ws' : 'wss'}://${dialHost}:${transport.address().port}`;
  const secret = file === undefined ? '' : ` --token-file ${file}`;
  const ca = tls === undefined ? '' : ' --ca <the CA certificate that signed --tls-cert>';
  const notice = [
    `waiting up to ${Math.round(flags.joinTimeoutMs / 1000)} s for ${hosts.length === 1 ? 'the host' : `${hosts.length} hosts`} to dial in to ${url}; on each, run:`,
    ...hosts.map((host) => `  npx @hostgrid/cli agent --connect ${url}${secret} --host ${host.name} --slots ${host.slots ?? 1}${ca}`),
    file === undefined ? '  (with HOSTGRID_TOKEN set to the same token as here)' : `  (copy ${file} to hosts that do not see this folder)`,
  ];
  return { transport, hosts, notice };
}
