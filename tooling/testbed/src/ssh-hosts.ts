/**
 * Several SSH hosts on this machine, each a network namespace with its own address,
 * hostname, host key and sshd, for testing the SSH transport against the real thing.
 */
import { rmSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { TestbedError } from './errors.js';
import { ExitHookSet, startOrRemove, TeardownErrors } from './lifecycle.js';
import { requireSshInfrastructure, type SshInfrastructure } from './infrastructure.js';
import {
  addHost,
  bridgeAddress,
  bridgeName,
  claimBridge,
  currentOwner,
  hostAddress,
  MAX_HOSTS,
  namespaceName,
  removeLink,
  removeNamespace,
  removeSync,
  vethName,
} from './network.js';
import { generateKey, SshdProcess, sshdConfig } from './sshd.js';
import type { ExecResult, HostRef, SshHost, SshTestbed, StartSshHostsOptions } from './ssh-testbed.js';
import { killUntilEmpty, pidsInNetns, processExe, run, runOk, tcpAnswers } from './system.js';

interface HostState {
  host: SshHost;
  readonly dir: string;
  readonly configPath: string;
  inode: number | undefined;
  sshd: SshdProcess | undefined;
}

/**
 * `Promise.all` that waits for every promise to settle before rejecting with the first
 * failure: teardown must not start while a sibling step is still making something.
 */
async function settled<T extends readonly unknown[]>(promises: T): Promise<{ -readonly [K in keyof T]: Awaited<T[K]> }> {
  const results = await Promise.allSettled(promises);
  const failed = results.find((result) => result.status === 'rejected');
  if (failed) throw failed.reason;
  return results.map((result) => (result as PromiseFulfilledResult<unknown>).value) as { -readonly [K in keyof T]: Awaited<T[K]> };
}

/** Test beds not yet torn down, removed synchronously if the process exits first. */
const live = new ExitHookSet<Testbed>((bed) => bed.teardownSync());

class Testbed implements SshTestbed {
  readonly user = 'root' as const;
  hosts: SshHost[] = [];
  privateKeyPath = '';
  publicKeyPath = '';
  knownHostsPath = '';
  hostKeyFingerprints: Record<string, string> = {};
  dir = '';
  bridge = '';
  bridgeAddress = '';
  subnet = '';
  readonly #infra: SshInfrastructure;
  readonly #label: string;
  #index: number | undefined;
  readonly #states = new Map<string, HostState>();
  #teardown: Promise<void> | undefined;

  constructor(infra: SshInfrastructure, label: string) {
    this.#infra = infra;
    this.#label = label;
  }

  async start(count: number, options: StartSshHostsOptions): Promise<void> {
    const infra = this.#infra;
    live.add(this);
    this.dir = await mkdtemp(join(tmpdir(), `hostgrid-testbed-${this.#label}-`));
    const owner = currentOwner(this.#label, this.dir);
    await writeFile(join(this.dir, 'owner.json'), `${JSON.stringify(owner)}\n`);
    const index = await claimBridge(infra.ip, owner, (claimed) => {
      this.#index = claimed;
      this.bridge = bridgeName(claimed);
    });
    this.bridgeAddress = bridgeAddress(index);
    this.subnet = `10.200.${index}.0/24`;
    this.privateKeyPath = join(this.dir, 'id_ed25519');
    this.publicKeyPath = `${this.privateKeyPath}.pub`;
    this.knownHostsPath = join(this.dir, 'known_hosts');
    const authorizedKeysPath = join(this.dir, 'authorized_keys');

    const states: HostState[] = [];
    for (let k = 1; k <= count; k += 1) {
      const name = `h${k}`;
      const dir = join(this.dir, name);
      const host = { name, address: hostAddress(index, k), port: 22 as const, namespace: namespaceName(index, k), veth: vethName(index, k), hostKey: '', hostKeyFingerprint: '' };
      const state: HostState = { host, dir, configPath: join(dir, 'sshd_config'), inode: undefined, sshd: undefined };
      states.push(state);
      this.#states.set(name, state);
    }
    await settled(states.map((state) => mkdir(state.dir)));
    const [clientKey, hostKeys] = await settled([
      generateKey(infra, this.privateKeyPath, `hostgrid-testbed@${this.bridge}`),
      settled(states.map((state) => generateKey(infra, join(state.dir, 'ssh_host_ed25519_key'), state.host.name))),
      settled(states.map((state, i) => addHost(infra.ip, index, i + 1, (inode) => (state.inode = inode)))),
    ] as const);
    this.hosts = states.map((state, i) => {
      const key = hostKeys[i];
      if (!key) throw new TestbedError('[testbed] a host key is missing');
      return { ...state.host, hostKey: key.base64, hostKeyFingerprint: key.fingerprint };
    });
    this.hosts.forEach((host, i) => {
      this.hostKeyFingerprints[host.name] = host.hostKeyFingerprint;
      const state = states[i];
      if (state) state.host = host;
    });
    await writeFile(authorizedKeysPath, `${clientKey.type} ${clientKey.base64} hostgrid-testbed\n`);
    await writeFile(this.knownHostsPath, this.hosts.map((host) => `${host.address} ssh-ed25519 ${host.hostKey}\n`).join(''));
    await settled(
      states.map((state) =>
        writeFile(
          state.configPath,
          sshdConfig({
            host: state.host.name,
            namespace: state.host.namespace,
            address: state.host.address,
            hostKeyPath: join(state.dir, 'ssh_host_ed25519_key'),
            authorizedKeysPath,
            pidFile: join(state.dir, 'sshd.pid'),
            infra,
            overrides: options.sshdConfig ?? {},
          }),
        ),
      ),
    );
    await mkdir('/run/sshd', { recursive: true });
    const readyTimeoutMs = options.readyTimeoutMs ?? 10_000;
    await settled(states.map((state) => this.#startSshd(state, readyTimeoutMs)));
  }

  async #startSshd(state: HostState, timeoutMs: number): Promise<void> {
    state.sshd = await SshdProcess.start(this.#infra, state.host.namespace, state.host.name, state.configPath);
    await state.sshd.waitReady(state.host.name, state.host.address, timeoutMs);
  }

  #state(ref: HostRef): HostState {
    if (this.#teardown) throw new TestbedError(`[testbed] test bed ${this.bridge} has been torn down`);
    const name = typeof ref === 'string' ? ref : ref.name;
    const state = this.#states.get(name);
    if (!state) {
      throw new TestbedError(`[testbed] no host "${name}" in test bed ${this.bridge} (hosts: ${[...this.#states.keys()].join(', ')})`);
    }
    return state;
  }

  async linkDown(host: HostRef): Promise<void> {
    const { veth } = this.#state(host).host;
    await runOk(`taking ${veth} down`, this.#infra.ip, ['link', 'set', 'dev', veth, 'down']);
  }

  async linkUp(host: HostRef, options: { readonly wait?: boolean } = {}): Promise<void> {
    const state = this.#state(host);
    await runOk(`bringing ${state.host.veth} up`, this.#infra.ip, ['link', 'set', 'dev', state.host.veth, 'up']);
    if (options.wait === false || !state.sshd?.running) return;
    const deadline = Date.now() + 10_000;
    while (!(await tcpAnswers(state.host.address, 22, 250))) {
      if (Date.now() > deadline) {
        throw new TestbedError(`[testbed] host ${state.host.name} (${state.host.address}) does not answer 10 s after its link came up`);
      }
      await sleep(15);
    }
  }

  async killProcesses(host: HostRef, options: { readonly includeSshd?: boolean } = {}): Promise<number[]> {
    const state = this.#state(host);
    const inode = state.inode;
    if (inode === undefined) return [];
    const spare = (pid: number): boolean => !options.includeSshd && processExe(pid) === this.#infra.sshd;
    const killed = await killUntilEmpty(() => pidsInNetns(inode).filter((pid) => !spare(pid)), `host ${state.host.name}`);
    if (options.includeSshd && state.sshd && !(await state.sshd.waitExit(5_000))) {
      throw new TestbedError(`[testbed] sshd of host ${state.host.name} (pid ${state.sshd.pid}) survived SIGKILL`);
    }
    return killed;
  }

  async startSshd(host: HostRef): Promise<void> {
    const state = this.#state(host);
    if (state.sshd?.running) return;
    await this.#startSshd(state, 10_000);
  }

  sshdPid(host: HostRef): number | undefined {
    const { sshd } = this.#state(host);
    return sshd?.running ? sshd.pid : undefined;
  }

  exec(host: HostRef, command: string | readonly string[], options: { readonly timeoutMs?: number } = {}): Promise<ExecResult> {
    const { namespace } = this.#state(host).host;
    const argv = typeof command === 'string' ? ['/bin/sh', '-c', command] : command;
    return run(this.#infra.ip, ['netns', 'exec', namespace, ...argv], options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs });
  }

  pidsIn(host: HostRef): number[] {
    const { inode } = this.#state(host);
    return inode === undefined ? [] : pidsInNetns(inode);
  }

  /** What this test bed has made so far, for a `TestbedStartError`. */
  made(): { bridge: string | undefined; namespaces: string[]; dir: string | undefined } {
    return {
      bridge: this.bridge || undefined,
      namespaces: [...this.#states.values()].map((state) => state.host.namespace),
      dir: this.dir || undefined,
    };
  }

  [Symbol.asyncDispose](): Promise<void> {
    this.#teardown ??= this.#tearDown();
    return this.#teardown;
  }

  async #tearDown(): Promise<void> {
    const errors = new TeardownErrors();
    const attempt = (step: () => unknown): Promise<void> => errors.attempt(step);
    const ip = this.#infra.ip;
    await Promise.all(
      [...this.#states.values()].map(async (state) => {
        await attempt(() => removeNamespace(ip, state.host.namespace, state.inode));
        const sshd = state.sshd;
        if (sshd && !(await sshd.waitExit(5_000))) {
          // It left the namespace somehow; it is still ours, by pid.
          sshd.kill();
          if (!(await sshd.waitExit(2_000))) errors.add(new TestbedError(`[testbed] sshd pid ${sshd.pid} survived SIGKILL`));
        }
        await attempt(() => removeLink(ip, state.host.veth));
      }),
    );
    if (this.#index !== undefined) await attempt(() => removeLink(ip, this.bridge));
    if (this.dir) await attempt(() => rm(this.dir, { recursive: true, force: true }));
    live.delete(this);
    errors.throwIfAny(`teardown of test bed ${this.bridge || this.dir}`, 'hostgrid-testbed ssh cleanup');
  }

  /**
   * The exit hook's teardown: synchronous, best effort, never throws. Runs even if an
   * asynchronous teardown is under way (the process is exiting under it); every step
   * checks what still exists.
   */
  teardownSync(): void {
    const namespaces = [...this.#states.values()].map((state) => ({ name: state.host.namespace, inode: state.inode }));
    const links = [...this.#states.values()].map((state) => state.host.veth);
    if (this.#index !== undefined) links.push(this.bridge);
    removeSync(this.#infra.ip, namespaces, links);
    for (const state of this.#states.values()) state.sshd?.kill();
    if (this.dir) {
      try {
        rmSync(this.dir, { recursive: true, force: true });
      } catch {
        // Best effort at exit.
      }
    }
  }
}

/**
 * Stands up `count` SSH hosts on this machine: each a network namespace on a bridge of
 * its own test bed, with its own address, hostname (`h1`, `h2`, …), ed25519 host key and
 * sshd, all taking the test bed's client key for root. Takes about 0.2 s for 3 hosts.
 *
 * Two test beds (from parallel test files, say) never share a bridge, subnet or name.
 * If anything fails half way, what was made is removed before the error is thrown.
 *
 * @example
 * ```ts
 * await using bed = await startSshHosts({ count: 3 });
 * const [h1] = bed.hosts;   // { name: 'h1', address: '10.200.0.11', port: 22, … }
 * // ssh -i bed.privateKeyPath -o UserKnownHostsFile=bed.knownHostsPath root@10.200.0.11
 * ```
 * @throws MissingInfrastructureError when sshd, ip, unshare or root is missing.
 * @throws TestbedStartError when something failed half way (its message quotes sshd's
 *   stderr when sshd was the one that failed); everything made was removed.
 */
export async function startSshHosts(options: StartSshHostsOptions = {}): Promise<SshTestbed> {
  const infra = requireSshInfrastructure();
  const count = options.count ?? 3;
  if (!Number.isInteger(count) || count < 1 || count > MAX_HOSTS) {
    throw new TestbedError(`[testbed] count must be an integer from 1 to ${MAX_HOSTS}, not ${count}`);
  }
  const label = options.name ?? 'ssh';
  if (!/^[\w-]{1,40}$/.test(label)) {
    throw new TestbedError(`[testbed] name must be 1 to 40 letters, digits, "-" or "_", not ${JSON.stringify(label)}`);
  }
  const bed = new Testbed(infra, label);
  return startOrRemove(bed, () => bed.start(count, options), `${count} SSH hosts`, () => bed.made());
}
