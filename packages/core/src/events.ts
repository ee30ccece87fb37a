import type { WorkerLostError } from './errors.js';
import type { MapProgressEvent } from './map/map-options.js';
import type { StagingProgressEvent } from './staging-area.js';

/** One server as a snapshot: `grid.servers(id)` and the events show these. */
export interface ServerInfo {
  /** The service id. */
  readonly service: string;
  /** The host's name. */
  readonly host: string;
  /** The slot on the host. */
  readonly slot: number;
  /** The worker's process id on its host. */
  readonly pid: number;
  /** Held by a proxy (or a broadcast/scatter). */
  readonly busy: boolean;
  /** Its host is being removed (`grid.removeHost`): it is handed out no more, and goes once its calls have ended. */
  readonly draining: boolean;
  /** Calls in flight. */
  readonly inflight: number;
  /** Calls completed. */
  readonly jobs: number;
  /** Mean time of its last 50 calls, in ms (0 before the first). */
  readonly meanMs: number;
}

/** A host that joined the running grid (`grid.addHost`, or a transport's `watchHosts`), or left it (`grid.removeHost`). */
export interface HostInfo {
  readonly name: string;
  readonly slots: number;
  /** Its temp path, on the host. */
  readonly tempPath: string;
}

/** A line a worker wrote. */
export interface OutputEvent {
  readonly host: string;
  readonly slot: number;
  readonly stream: 'stdout' | 'stderr';
  /** One line, without its line end. */
  readonly line: string;
}

/** A call on a server. */
export interface CallEvent {
  readonly service: string;
  readonly host: string;
  readonly slot: number;
  readonly method: string;
}

/** A call that failed with nobody handling its result (see `unobserved-failure`). */
export interface UnobservedFailure {
  /** What the call rejected with. */
  readonly error: unknown;
  readonly service?: string | undefined;
  readonly method?: string | undefined;
  readonly host?: string | undefined;
  readonly slot?: number | undefined;
}

/**
 * The grid's events (a typed `EventEmitter`). The call events cost nothing while
 * nobody listens to them.
 */
export type GridEvents = {
  /** A server of a service is ready (at publish). */
  'server-added': (server: ServerInfo) => void;
  /** A server was lost with its worker; its calls were rejected with `error`. */
  'server-lost': (server: ServerInfo, error: WorkerLostError) => void;
  /** A lost server was replaced by a fresh one (restart policy); `restarts` counts the attempts on its slot so far. */
  'server-restarted': (server: ServerInfo, restarts: number) => void;
  /** A service's restart policy gave a slot up: no more attempts there. */
  'server-given-up': (slot: { readonly service: string; readonly host: string; readonly slot: number }, error: WorkerLostError) => void;
  /** A host joined the running grid; its servers were announced as `server-added` first. */
  'host-added': (host: HostInfo) => void;
  /** A host was removed (`grid.removeHost`): its workers have stopped and its servers are gone. */
  'host-removed': (host: HostInfo) => void;
  /** A host announced by the transport (`watchHosts`) could not be added; nothing of it stays. */
  'host-failed': (name: string, error: Error) => void;
  /** A call was sent. */
  'call-started': (call: CallEvent) => void;
  /** A call ended, either way, after `elapsedMs`. */
  'call-finished': (call: CallEvent, elapsedMs: number) => void;
  /** A worker wrote a line to its stdout or stderr. */
  output: (output: OutputEvent) => void;
  /** Files are being staged on a host (start-up, `copyFiles`, `setLoader`): files and bytes done of total. */
  'staging-progress': (progress: StagingProgressEvent) => void;
  /**
   * A call (on a proxy, `grid.call`, `broadcast`, `scatter`) failed, and its result had no
   * handler by the end of the turn it failed in. It is also a warning on the grid's
   * `logger`; with no logger and nobody listening, the warning goes to stderr.
   */
  'unobserved-failure': (failure: UnobservedFailure) => void;
  /** A `grid.map` made progress (at most every `progressIntervalMs`, and once at its end). */
  'map-progress': (progress: MapProgressEvent) => void;
  /** A debug message (`debug: true`; per-call ones with `verbose: true` as well). */
  debug: (message: string) => void;
};
