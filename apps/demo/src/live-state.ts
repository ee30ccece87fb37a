import { performance } from 'node:perf_hooks';
import type { ExchangeConfig } from './config.js';
import type { RoundProgress } from './exchange.js';
import type { GridListener } from './grid-listener.js';
import type { HostEntry } from './hosts.js';

/** Where a run is. */
export type LivePhase = 'starting' | 'staging' | 'publishing' | 'running' | 'stopping' | 'finished' | 'failed';

/** One server as the live view shows it. */
export interface LiveSlot {
  /** The slot on its host. */
  readonly slot: number;
  /** `waiting`: not up yet; `busy`: a call in flight; `free`; `lost`: its worker died. */
  readonly state: 'waiting' | 'busy' | 'free' | 'lost';
  /** Calls it ran. */
  readonly calls: number;
  /** Mean time of those calls, in ms. */
  readonly meanMs: number;
  /** Share of the last second it was busy, 0 to 1. */
  readonly utilization: number;
}

/** One host and its servers. */
export interface LiveHost {
  /** The host's name. */
  readonly name: string;
  /** Its address, when not its name. */
  readonly address?: string;
  /** One entry per slot, in slot order. */
  readonly servers: LiveSlot[];
}

/** What the live view shows at one moment: the body of every update it gets. */
export interface LiveSnapshot {
  /** Where the run is. */
  readonly phase: LivePhase;
  /** Why it failed, for `failed`. */
  readonly message?: string;
  /** Since the run started, in ms. */
  readonly elapsedMs: number;
  /** The run's config. */
  readonly config: ExchangeConfig;
  /** The transport's name. */
  readonly transport: string;
  /** Rounds done. */
  readonly round: number;
  /** Rounds in the run. */
  readonly rounds: number;
  /** Swaps accepted so far. */
  readonly accepted: number;
  /** Swaps attempted so far. */
  readonly attempted: number;
  /** Calls finished over the last second, per second. */
  readonly callsPerSecond: number;
  /** Calls finished in all. */
  readonly calls: number;
  /** The hosts, in command-line order. */
  readonly hosts: LiveHost[];
}

/** What {@link LiveState} is made from. */
export interface LiveSetup {
  /** The run's config. */
  readonly config: ExchangeConfig;
  /** The transport's name. */
  readonly transport: string;
  /** The hosts and their slots, listed from the start. */
  readonly hosts: readonly HostEntry[];
  /** Milliseconds since some fixed moment; creation is time 0. @defaultValue `performance.now` */
  readonly now?: () => number;
}

interface Slot {
  state: LiveSlot['state'];
  calls: number;
  totalMs: number;
  inflight: number;
  busySince: number;
  busyMs: number;
  /** `[t, busyMs(t)]` samples taken by snapshots, oldest first, covering the last second. */
  history: Array<[number, number]>;
}

const WINDOW_MS = 1000;
const BUCKET_MS = 100;
const BUCKETS = WINDOW_MS / BUCKET_MS;

/**
 * The state of a run for the live view, kept up to date from the grid's events
 * ({@link GridListener}) and the driver's progress. All of it is bounded: a fixed record
 * per server and ten 100 ms counters for the call rate.
 */
export class LiveState implements GridListener {
  readonly #now: () => number;
  readonly #origin: number;
  readonly #config: ExchangeConfig;
  readonly #transport: string;
  readonly #hosts: ReadonlyArray<{ entry: HostEntry; slots: Slot[] }>;
  readonly #byName = new Map<string, Slot[]>();
  readonly #bucketIndex = new Array<number>(BUCKETS).fill(-1);
  readonly #bucketCount = new Array<number>(BUCKETS).fill(0);
  #phase: LivePhase = 'starting';
  #message: string | undefined;
  #progress: RoundProgress;
  #calls = 0;

  constructor(setup: LiveSetup) {
    this.#now = setup.now ?? (() => performance.now());
    this.#origin = this.#now();
    this.#config = setup.config;
    this.#transport = setup.transport;
    this.#progress = { round: 0, rounds: setup.config.rounds, accepted: 0, attempted: 0 };
    this.#hosts = setup.hosts.map((entry) => {
      const slots = Array.from({ length: entry.slots }, (): Slot => ({
        state: 'waiting', calls: 0, totalMs: 0, inflight: 0, busySince: 0, busyMs: 0, history: [],
      }));
      this.#byName.set(entry.name, slots);
      return { entry, slots };
    });
  }

  #elapsed(): number {
    return this.#now() - this.#origin;
  }

  #slot(host: string, slot: number): Slot | undefined {
    return this.#byName.get(host)?.[slot];
  }

  /** The run moved on to `phase`; `message` says why, for `failed`. */
  setPhase(phase: LivePhase, message?: string): void {
    this.#phase = phase;
    this.#message = message;
  }

  /** The driver finished a round. */
  setProgress(progress: RoundProgress): void {
    this.#progress = progress;
  }

  /** A server came up. */
  serverAdded(host: string, slot: number): void {
    const s = this.#slot(host, slot);
    if (s !== undefined && s.state === 'waiting') s.state = 'free';
  }

  /** A server's worker died. */
  serverLost(host: string, slot: number): void {
    const s = this.#slot(host, slot);
    if (s === undefined) return;
    if (s.inflight > 0) s.busyMs += this.#elapsed() - s.busySince;
    s.inflight = 0;
    s.state = 'lost';
  }

  /** A call was sent to a server. */
  callStarted(host: string, slot: number): void {
    const s = this.#slot(host, slot);
    if (s === undefined || s.state === 'lost') return;
    if (s.inflight++ === 0) s.busySince = this.#elapsed();
    s.state = 'busy';
  }

  /** A call ended after `elapsedMs`. */
  callFinished(host: string, slot: number, elapsedMs: number): void {
    const now = this.#elapsed();
    this.#calls++;
    const bucket = Math.floor(now / BUCKET_MS);
    const at = bucket % BUCKETS;
    if (this.#bucketIndex[at] !== bucket) {
      this.#bucketIndex[at] = bucket;
      this.#bucketCount[at] = 0;
    }
    this.#bucketCount[at]!++;
    const s = this.#slot(host, slot);
    if (s === undefined || s.state === 'lost') return;
    s.calls++;
    s.totalMs += elapsedMs;
    if (s.inflight > 0 && --s.inflight === 0) {
      s.busyMs += now - s.busySince;
      s.state = 'free';
    }
  }

  #callsPerSecond(now: number): number {
    const current = Math.floor(now / BUCKET_MS);
    let calls = 0;
    for (let i = 0; i < BUCKETS; i++) {
      if (this.#bucketIndex[i]! > current - BUCKETS) calls += this.#bucketCount[i]!;
    }
    // the window is the last BUCKETS - 1 whole buckets plus the current partial one
    const span = Math.min(now, (BUCKETS - 1) * BUCKET_MS + (now - current * BUCKET_MS));
    return span > 0 ? (calls * 1000) / span : 0;
  }

  #utilization(s: Slot, now: number): number {
    const busy = s.busyMs + (s.inflight > 0 ? now - s.busySince : 0);
    s.history.push([now, busy]);
    while (s.history.length > 2 && s.history[1]![0] <= now - WINDOW_MS) s.history.shift();
    const [t0, b0] = s.history[0]!;
    if (now - t0 <= 0) return s.inflight > 0 ? 1 : 0;
    return Math.min(1, Math.max(0, (busy - b0) / (now - t0)));
  }

  /** The state now, as plain data. Each call also samples the servers' busy time for their utilisation. */
  snapshot(): LiveSnapshot {
    const now = this.#elapsed();
    return {
      phase: this.#phase,
      ...(this.#message === undefined ? {} : { message: this.#message }),
      elapsedMs: Math.round(now),
      config: this.#config,
      transport: this.#transport,
      ...this.#progress,
      callsPerSecond: Math.round(this.#callsPerSecond(now) * 10) / 10,
      calls: this.#calls,
      hosts: this.#hosts.map(({ entry, slots }) => ({
        name: entry.name,
        ...(entry.address === undefined ? {} : { address: entry.address }),
        servers: slots.map((s, slot) => ({
          slot,
          state: s.state,
          calls: s.calls,
          meanMs: s.calls > 0 ? Math.round((s.totalMs / s.calls) * 100) / 100 : 0,
          utilization: Math.round(this.#utilization(s, now) * 1000) / 1000,
        })),
      })),
    };
  }
}
