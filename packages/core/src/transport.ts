import type { HostSpec, ResolvedHost } from './host-spec.js';

/** What a transport is asked to start: one worker for one slot of one host. */
export interface SpawnRequest {
  /** The host, with defaults filled in. */
  readonly host: ResolvedHost;
  /** The slot on that host, from 0. */
  readonly slot: number;
  /**
   * Absolute path, on this machine, of the worker runtime to run (the bundled
   * `hostgrid-worker.js`, or the entry given to `grid.setLoader`). A transport whose
   * hosts do not share this machine's files runs its staged copy instead.
   */
  readonly workerEntry: string;
  /** The host's temp path (made by the grid before any worker starts): the worker's working directory. */
  readonly tempPath: string;
  /** Aborted when the grid gives up on this start (terminate during start, say). */
  readonly signal: AbortSignal;
  /**
   * The grid's heartbeat timing. A worker busy in a long synchronous call cannot answer
   * heartbeats, so a transport that can lose a host silently (a network link) should
   * watch the link itself, with keepalives that do not depend on the worker, and report
   * the channel closed after `intervalMs × misses` of silence.
   */
  readonly heartbeat: { readonly intervalMs: number; readonly misses: number };
}

/**
 * File operations on one host, for staging. Paths are absolute paths on that host. The
 * grid checks every path before it calls (nothing is written outside a host's temp
 * path): on its text, and, with `realPath`, on the host, where no link inside a temp path
 * may be on the way (see `resolveUnlinked` in `@hostgrid/staging`). So these do what
 * they are told, but write only through a fresh temporary name made exclusively
 * (`O_CREAT | O_EXCL`: a link planted at that name fails the write instead of being
 * followed) and renamed into place.
 *
 * Failure semantics: each operation rejects with an error naming the host and the path
 * when it cannot be done; a rejected `writeFile` leaves no file (and no partial file)
 * under the final name.
 */
export interface HostFiles {
  /**
   * Whether the host sees this machine's files at the same paths (true for the local
   * transport). `publish` may then use a module's original path when it was not staged.
   */
  readonly sharesControllerFileSystem: boolean;
  /** Makes a new, empty folder in the host's temporary directory, named `<prefix><random>`, and returns its absolute path. */
  makeTempDir(prefix: string): Promise<string>;
  /** Makes a folder and its missing parents; resolves `true` when it made `path` itself, `false` when it was there. */
  makeDir(path: string): Promise<boolean>;
  /**
   * Writes a file from a stream of chunks with the given permission bits, atomically:
   * the data goes to a temporary name beside it and is renamed into place only once
   * complete, so a write cut off half way never counts as written.
   */
  writeFile(path: string, data: AsyncIterable<Uint8Array>, mode: number): Promise<void>;
  /**
   * Copies a file of this machine to `path` on the host, atomically as `writeFile` does.
   * Only for hosts that share this machine's files, where a kernel copy beats streaming;
   * the grid uses it when present, `writeFile` otherwise.
   */
  copyLocalFile?(localPath: string, path: string, mode: number): Promise<void>;
  /**
   * Where a path on the host really leads, every link on the way resolved; a missing last
   * component kept as it is; a link that leads nowhere gives its target; `undefined` when
   * a folder on the way is missing (the `RealPath` of `@hostgrid/staging`). The grid asks
   * it before every read and removal in a temp path, and for every write: of its folder
   * before the write begins, of the file itself before its first chunk is given (so before
   * the rename into place), and refuses any path a link would take elsewhere. A transport
   * without it must refuse such paths itself, on the host (the WebSocket agent does).
   */
  realPath?(path: string): Promise<string | undefined>;
  /** A (small) file's contents, or `undefined` when there is no such file. */
  readFile(path: string): Promise<Uint8Array | undefined>;
  /** Removes a file, or a folder with everything in it; resolves also when there was nothing. */
  remove(path: string): Promise<void>;
}

/** How a channel ended. */
export interface ChannelClosedInfo {
  /** One line for people: `"exited with code 1"`, `"killed by SIGKILL"`, `"connection reset"`. */
  readonly reason: string;
  /** The worker's exit code, when the transport knows it. */
  readonly code?: number | null;
  /** The signal that ended the worker, when the transport knows it. */
  readonly signal?: string | null;
  /** The error that ended the channel, when there was one. */
  readonly error?: Error;
}

/**
 * Callbacks a transport calls for one channel. They are given to `spawn`, so nothing
 * that happens between the start and the first frame is missed.
 */
export interface ChannelHandlers {
  /** One complete frame from the worker (a message body, unframed). Never called after `closed`. */
  frame(frame: Uint8Array): void;
  /** Text the worker wrote to its stdout or stderr. */
  output(stream: 'stdout' | 'stderr', text: string): void;
  /** The channel has ended, for whatever reason. Called exactly once, and only after `spawn` resolved. */
  closed(info: ChannelClosedInfo): void;
}

/**
 * A running worker and the two-way frame channel to it.
 *
 * Failure semantics: when the worker dies, its host goes away or the link breaks, the
 * transport calls `handlers.closed` once; the grid then rejects every call pending on
 * this channel with `WorkerLostError`. Frames sent after the channel ended are dropped
 * (the grid has already failed their calls); `send` never throws for a dead peer.
 */
export interface Channel {
  /** The worker's process id on its host, when the transport knows it (possibly only after a while). */
  readonly pid?: number | undefined;
  /**
   * The largest frame body this end of the channel accepts from the worker (the
   * transport's `maxFrameBytes`, less any envelope of its own). The grid offers it in
   * `hello`; the worker answers with the smaller of it and its own limit, and neither
   * end then sends a larger frame body: an oversized call, state or result is refused by
   * its sender with a `SerializationError`, and the channel stays up.
   */
  readonly maxFrameBytes: number;
  /**
   * Sends one frame body to the worker. Frames sent in one turn of the event loop
   * should go out together (one write), and always in order.
   */
  send(frame: Uint8Array): void;
  /**
   * Ends the channel gracefully: closes the worker's input, waits up to `graceMs` for the
   * worker to exit, then kills it. Resolves once the worker is gone and `closed` was called.
   */
  close(graceMs: number): Promise<void>;
  /** Kills the worker at once, synchronously where the transport can (used at process exit). */
  kill(): void;
}

/**
 * The contract every transport implements: how the grid starts workers on hosts and
 * talks to them. A transport knows nothing of services, pools or calls.
 *
 * Failure semantics: `spawn` rejects (with an error naming the host) when the worker
 * cannot be started; it then leaves nothing running and calls no handler. `close`
 * releases whatever the transport holds (connections, listeners) after the grid has
 * closed every channel.
 */
export interface Transport {
  /** A short name for messages and events: `"local"`, `"ssh"`, `"memory"`. */
  readonly name: string;
  /** Starts a worker for one slot and opens the channel to it. */
  spawn(request: SpawnRequest, handlers: ChannelHandlers): Promise<Channel>;
  /**
   * The file operations on one host, used by the grid's staging (the same logic for every
   * transport). `link` is the grid's heartbeat timing, for a transport whose connections
   * made for files also carry workers later (and must watch the link the same way).
   */
  files(host: ResolvedHost, link?: { readonly intervalMs: number; readonly misses: number }): HostFiles;
  /**
   * For a transport whose hosts join by themselves (workers that dial in): announces each
   * host that joins after `Grid.start`, or joins again after losing its workers. The grid
   * subscribes once, after its start, and calls `grid.addHost` for each (which stages,
   * calls `spawn` for its slots and publishes every service on them); it unsubscribes at
   * terminate. A transport without joining hosts leaves this out.
   *
   * @returns a function that ends the subscription
   */
  watchHosts?(joined: (host: HostSpec) => void): () => void;
  /** Releases the transport's own resources. Called once, by `grid.terminate()`. */
  close(): Promise<void>;
}
