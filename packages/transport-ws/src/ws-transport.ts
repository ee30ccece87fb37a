import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { WebSocket } from 'ws';
import { HostgridError, type Channel, type ChannelHandlers, type HostFiles, type HostSpec, type ResolvedHost, type SpawnRequest, type Transport } from '@hostgrid/core';
import { CloseCode, encode } from '@hostgrid/protocol';
import { AgentLink, type LinkTiming } from './agent-link.js';
import { JoinEndpoint, type JoinedPeer, type Refusal } from './endpoint.js';
import { JoinTimeoutError } from './errors.js';
import { resolveOptions, type ResolvedWsOptions, type WsTransportOptions } from './options.js';
import { remoteFiles } from './remote-files.js';
import { startSlot, type SlotTickets } from './start-slot.js';
import { WsSlotChannel } from './slot-channel.js';

/** A host agent that has connected: what `connectedHosts()` lists. */
export interface ConnectedHost {
  readonly name: string;
  readonly slots: number;
  /** The agent's `os.hostname()` and pid. */
  readonly hostname: string;
  readonly pid: number;
  /** `address:port` it connected from. */
  readonly remote: string;
}

/** The WebSocket transport: a {@link Transport} listening for host agents, with its address. */
export interface WsTransport extends Transport {
  /** `ws://host:port` or `wss://host:port`, as it listens (give workers an address they can reach). */
  readonly url: string;
  /** The address it listens on (the port, when `listen.port` was 0). */
  address(): AddressInfo;
  /** The host agents connected now. */
  connectedHosts(): ConnectedHost[];
  /**
   * Announces hosts that join after the grid subscribed: in dynamic mode every agent with
   * a new name (and, at subscription, agents that joined earlier and that the grid did not
   * ask for); in both modes an agent that comes back after its host was lost (a fresh
   * host). Each is `{ ...the grid's spec of it, name, slots }`, `slots` being what the
   * agent offers. In static mode, subscribing refuses (4404) agents the grid did not ask for.
   *
   * @returns a function that ends the subscription
   */
  watchHosts(joined: (host: HostSpec) => void): () => void;
}

interface HostState {
  agent: AgentLink | undefined;
  /** The grid asked for this host (files or spawn): it is one of the grid's hosts. */
  claimed: boolean;
  /** The grid's spec of it, once claimed. */
  spec: ResolvedHost | undefined;
  hadAgent: boolean;
  readonly waiters: Set<{ readonly deadline: number; resolve(agent: AgentLink): void; reject(error: Error): void }>;
}

/** The grid's default heartbeat, until it tells its own (through `files` or `spawn`). */
const DEFAULT_TIMING: LinkTiming = { intervalMs: 1000, misses: 10 };

/**
 * Starts the controller's WebSocket endpoint and resolves, listening, with a transport
 * whose hosts dial in: on each host a person, a scheduler or a container runs a host
 * agent, `HOSTGRID_TOKEN=… npx @hostgrid/cli agent --connect <url> --host <name> --slots <n>`
 * (the agent of `@hostgrid/worker`, also `npx -p @hostgrid/worker hostgrid-worker --connect …`),
 * which joins once as the host and starts a slot worker whenever the grid spawns one;
 * each slot worker dials in by itself (one call path, no relay). Staging goes over the
 * agent's connection.
 *
 * Failure semantics: `files(host)` and `spawn` wait up to `joinTimeoutMs` for the host's
 * agent, then reject with {@link JoinTimeoutError} naming every host still missing. A
 * slot's channel closes (its calls reject with `WorkerLostError`) when its worker exits
 * or is killed, its connection breaks, it sends a malformed message (`ProtocolError`,
 * close 4400) or one over `maxFrameBytes` (close 1009), or its host agent is lost: the
 * controller pings each agent every heartbeat interval and counts it lost after
 * `misses` intervals of silence (agents run no user code, so a busy worker never makes
 * its host look dead). An agent that comes back joins as a fresh host, announced
 * through `watchHosts`. Peers without the token are closed (4401) before anything else.
 *
 * @throws TypeError for bad options; Error naming the address when it cannot listen
 */
export async function wsTransport(options: WsTransportOptions): Promise<WsTransport> {
  const resolved = resolveOptions(options);
  const transport = new WsTransportImpl(resolved);
  await transport.listen();
  return transport;
}

class WsTransportImpl implements WsTransport {
  readonly name = 'ws';
  readonly #options: ResolvedWsOptions;
  readonly #hosts = new Map<string, HostState>();
  readonly #tickets: SlotTickets = new Map();
  readonly #watchers = new Set<(host: HostSpec) => void>();
  readonly #channels = new Set<WsSlotChannel>();
  #endpoint: JoinEndpoint | undefined;
  #timing: LinkTiming = DEFAULT_TIMING;
  #subscribed = false;
  #closed = false;

  constructor(options: ResolvedWsOptions) {
    this.#options = options;
  }

  async listen(): Promise<void> {
    this.#endpoint = await JoinEndpoint.listen(this.#options, (peer) => this.#joined(peer));
  }

  get url(): string {
    return this.#endpoint!.url;
  }

  address(): AddressInfo {
    return this.#endpoint!.address();
  }

  connectedHosts(): ConnectedHost[] {
    return [...this.#hosts.values()].flatMap((state) => {
      const agent = state.agent;
      return agent?.alive === true ? [{ name: agent.host, slots: agent.slots, hostname: agent.join.hostname, pid: agent.join.pid, remote: agent.remote }] : [];
    });
  }

  async spawn(request: SpawnRequest, handlers: ChannelHandlers): Promise<Channel> {
    const { host, slot, signal } = request;
    if (this.#closed) throw new HostgridError({ host: host.name, slot, message: `ws worker for host "${host.name}" slot ${slot} could not start: the WebSocket transport is closed` });
    signal.throwIfAborted();
    this.#retime(request.heartbeat);
    const agent = await abortable(this.#agentFor(host), signal);
    const started = await startSlot(agent, request, this.#tickets);
    const channel = new WsSlotChannel(started.ws, agent, slot, started.pid, handlers, this.#options.maxFrameBytes);
    for (const [stream, text] of started.output) handlers.output(stream, text);
    this.#channels.add(channel);
    void channel.gone.then(() => this.#channels.delete(channel));
    return channel;
  }

  files(host: ResolvedHost, link?: LinkTiming): HostFiles {
    if (link !== undefined) this.#retime(link);
    return remoteFiles(
      host.name,
      () => this.#agentFor(host),
      () => {
        const agent = this.#hosts.get(host.name)?.agent;
        return agent?.alive === true ? agent : undefined;
      },
    );
  }

  watchHosts(joined: (host: HostSpec) => void): () => void {
    this.#watchers.add(joined);
    this.#subscribed = true;
    // Agents that joined before the grid subscribed and that it did not ask for.
    for (const state of this.#hosts.values()) {
      const agent = state.agent;
      if (agent?.alive !== true || state.claimed) continue;
      if (this.#options.dynamic) this.#announce(state, agent);
      else agent.close(CloseCode.UnknownHost, `no host "${agent.host}" in this grid`.slice(0, 120));
    }
    return () => this.#watchers.delete(joined);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const closed = new HostgridError({ message: 'the WebSocket transport is closed' });
    for (const state of this.#hosts.values()) {
      for (const waiter of state.waiters) waiter.reject(closed);
      state.waiters.clear();
    }
    for (const pending of this.#tickets.values()) pending.reject(closed);
    this.#tickets.clear();
    for (const channel of this.#channels) channel.kill();
    for (const state of this.#hosts.values()) state.agent?.close(CloseCode.GridClosed, 'grid closed');
    await this.#endpoint?.close();
  }

  #joined(peer: JoinedPeer): Refusal | undefined {
    const { join, ws } = peer;
    if (this.#closed) return { code: CloseCode.GridClosed, reason: 'grid closed' };
    if (join.role === 'slot') return this.#slotJoined(ws, join.ticket, join.host, join.slot);
    let state = this.#hosts.get(join.host);
    if (state?.agent?.alive === true) return { code: CloseCode.HostTaken, reason: `host "${join.host}" is already connected`.slice(0, 120) };
    if (!this.#options.dynamic && this.#subscribed && state?.claimed !== true) return { code: CloseCode.UnknownHost, reason: `no host "${join.host}" in this grid`.slice(0, 120) };
    if (state === undefined) {
      state = { agent: undefined, claimed: false, spec: undefined, hadAgent: false, waiters: new Set() };
      this.#hosts.set(join.host, state);
    }
    const rejoin = state.claimed && state.hadAgent;
    const agent = new AgentLink(ws, join, peer.remote, this.#timing, this.#options.maxFrameBytes);
    state.agent = agent;
    state.hadAgent = true;
    const current = state;
    agent.onEnd(() => {
      if (current.agent === agent) current.agent = undefined;
    });
    for (const waiter of state.waiters) waiter.resolve(agent);
    state.waiters.clear();
    if (this.#subscribed && (rejoin || (this.#options.dynamic && !state.claimed))) this.#announce(state, agent);
    return undefined;
  }

  #slotJoined(ws: WebSocket, ticket: string, host: string, slot: number): Refusal | undefined {
    const pending = this.#tickets.get(ticket);
    if (pending === undefined || pending.host !== host || pending.slot !== slot) return { code: CloseCode.Unauthorized, reason: 'unauthorized' };
    this.#tickets.delete(ticket);
    // Welcomed before any frame of the worker protocol can be sent on it.
    ws.send(encode({ type: 'welcome', heartbeatMs: this.#timing.intervalMs, misses: this.#timing.misses, maxFrameBytes: this.#options.maxFrameBytes }));
    pending.joined(ws);
    return undefined;
  }

  #announce(state: HostState, agent: AgentLink): void {
    const spec: HostSpec = { ...(state.spec ?? {}), name: agent.host, slots: agent.slots };
    for (const watcher of [...this.#watchers]) {
      try {
        watcher(spec);
      } catch {
        // A watcher's own failure is its business; the host stays connected.
      }
    }
  }

  /** The host's agent, waiting for it to join (up to `joinTimeoutMs`). */
  #agentFor(host: ResolvedHost): Promise<AgentLink> {
    let state = this.#hosts.get(host.name);
    if (state === undefined) {
      state = { agent: undefined, claimed: false, spec: undefined, hadAgent: false, waiters: new Set() };
      this.#hosts.set(host.name, state);
    }
    state.claimed = true;
    state.spec = host;
    if (state.agent?.alive === true) return Promise.resolve(state.agent);
    if (this.#closed) return Promise.reject(new HostgridError({ host: host.name, message: 'the WebSocket transport is closed' }));
    const waiters = state.waiters;
    return new Promise<AgentLink>((resolve, reject) => {
      const timeoutMs = this.#options.joinTimeoutMs;
      const waiter = {
        deadline: performance.now() + timeoutMs,
        resolve: (agent: AgentLink) => {
          clearTimeout(timer);
          resolve(agent);
        },
        reject: (error: Error) => {
          clearTimeout(timer);
          reject(error);
        },
      };
      // The listening server keeps the process alive while anything waits; this timer alone must not.
      const timer = setTimeout(() => this.#joinTimedOut(), timeoutMs).unref();
      waiters.add(waiter);
    });
  }

  /** A wait for an agent ran out: every wait about to run out fails together, naming every missing host. */
  #joinTimedOut(): void {
    const now = performance.now();
    const missing = [...this.#hosts.entries()].filter(([, state]) => state.waiters.size > 0).map(([name]) => name);
    const error = new JoinTimeoutError({
      missing,
      message:
        `${missing.length === 1 ? 'host' : 'hosts'} ${missing.map((name) => `"${name}"`).join(', ')} did not join within ${this.#options.joinTimeoutMs} ms: ` +
        `run \`npx @hostgrid/cli agent --connect ${this.url} --host <name> --slots <n> --token-file <file>\` on each, the file holding the grid's token (or HOSTGRID_TOKEN set to it)`,
    });
    for (const state of this.#hosts.values()) {
      for (const waiter of [...state.waiters]) {
        if (waiter.deadline - now > 1000) continue;
        state.waiters.delete(waiter);
        waiter.reject(error);
      }
    }
  }

  #retime(timing: LinkTiming): void {
    if (timing.intervalMs === this.#timing.intervalMs && timing.misses === this.#timing.misses) return;
    this.#timing = { intervalMs: timing.intervalMs, misses: timing.misses };
    for (const state of this.#hosts.values()) state.agent?.retime(this.#timing);
  }
}

/** Rejects with the signal's reason when it aborts first. */
function abortable<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => (signal.removeEventListener('abort', onAbort), resolve(value)),
      (error: unknown) => (signal.removeEventListener('abort', onAbort), reject(error)),
    );
  });
}
