import type { WireError } from './wire-error.js';

/**
 * Messages of connections that dial in to the controller (the WebSocket transport):
 * the join handshake every such connection starts with, and the host agent's channel.
 *
 * Join (every connection, before anything else): the controller sends `challenge`, the
 * peer answers `join` with a proof (see `joinProof`); a host agent is then greeted with
 * `welcome`, a slot worker goes on with the worker protocol (`hello`, …).
 *
 * Agent channel, controller → agent: `start`, `kill`, `link`, and the file requests
 * `fs-mktemp`, `fs-mkdir`, `fs-open`, `fs-write`, `fs-commit`, `fs-abort`, `fs-read`,
 * `fs-remove`. Agent → controller: `reply` (to every request with an `id`), `output`,
 * `exited`.
 */
export const AgentMessageType = {
  Challenge: 'challenge',
  Join: 'join',
  Welcome: 'welcome',
  Start: 'start',
  Kill: 'kill',
  Link: 'link',
  MakeTempDir: 'fs-mktemp',
  MakeDir: 'fs-mkdir',
  Open: 'fs-open',
  Write: 'fs-write',
  Commit: 'fs-commit',
  Abort: 'fs-abort',
  Read: 'fs-read',
  Remove: 'fs-remove',
  Reply: 'reply',
  Output: 'output',
  Exited: 'exited',
} as const;

/** The controller's first message on a new connection: prove you hold the grid's token. */
export interface ChallengeMessage {
  readonly type: 'challenge';
  /** The controller's `PROTOCOL_VERSION`. */
  readonly version: number;
  /** 32 random bytes, never used twice. */
  readonly nonce: Uint8Array;
}

/** Who is dialling in: a host agent, or one slot worker that an agent started. */
export type JoinRole = 'host' | 'slot';

/** The peer's answer to `challenge`. */
export interface JoinMessage {
  readonly type: 'join';
  /** The peer's `PROTOCOL_VERSION`. */
  readonly version: number;
  readonly role: JoinRole;
  /** The host's name in the grid. */
  readonly host: string;
  /** For `slot`: the slot number; for `host`: 0. */
  readonly slot: number;
  /** For `host`: how many slots it offers; for `slot`: 0. */
  readonly slots: number;
  /** For `slot`: the one-time ticket of its `start`; for `host`: `""`. */
  readonly ticket: string;
  /** `HMAC-SHA256(token, nonce ‖ role ‖ host ‖ slot ‖ ticket)`, see `joinProof`. */
  readonly proof: Uint8Array;
  readonly pid: number;
  readonly hostname: string;
  /** `process.version` of the peer. */
  readonly node: string;
}

/** A host agent was accepted; it watches the link with this timing. */
export interface WelcomeMessage {
  readonly type: 'welcome';
  /** The controller pings at least this often (ms). */
  readonly heartbeatMs: number;
  /** The link counts as lost after this many intervals without a word. */
  readonly misses: number;
  /**
   * The largest WebSocket message the controller accepts on this connection: a peer sends
   * none larger (a host agent splits output and answers an oversized reply with an error).
   */
  readonly maxFrameBytes: number;
}

/** Start the worker of one slot; answered by `reply` with `{ pid }`. */
export interface StartMessage {
  readonly type: 'start';
  readonly id: number;
  readonly slot: number;
  /** One-time ticket the slot worker presents when it dials in. */
  readonly ticket: string;
  /** Absolute path of the worker runtime on the host (staged there). */
  readonly workerEntry: string;
  /** The worker's working directory. */
  readonly tempPath: string;
  /** The Node.js executable; empty for the agent's own. */
  readonly node: string;
  /** `nice` level, 0 to 19. */
  readonly niceness: number;
  /** Shell command run before the worker; empty for none. */
  readonly initCmd: string;
  /** Extra environment variables. */
  readonly env: Readonly<Record<string, string>>;
}

/** Kill the worker of a slot (SIGKILL). Not answered; its end is reported by `exited`. */
export interface KillMessage {
  readonly type: 'kill';
  readonly slot: number;
  /** Only if the slot's worker has this pid (a newer worker in the slot is spared); 0: whatever runs there. */
  readonly pid: number;
}

/** New link timing (when the grid's heartbeat differs from the `welcome`'s). */
export interface LinkMessage {
  readonly type: 'link';
  readonly heartbeatMs: number;
  readonly misses: number;
}

/** Make a new folder `<tmpdir>/<prefix><random>`; replies with its path. */
export interface MakeTempDirMessage {
  readonly type: 'fs-mktemp';
  readonly id: number;
  readonly prefix: string;
}

/** Make a folder and its parents; replies `true` when it made the folder itself. */
export interface MakeDirMessage {
  readonly type: 'fs-mkdir';
  readonly id: number;
  readonly path: string;
}

/** Open a file for writing (under a temporary name); replies with a handle number. */
export interface OpenMessage {
  readonly type: 'fs-open';
  readonly id: number;
  readonly path: string;
  readonly mode: number;
}

/** Append bytes to an open file; replies `null` once written. */
export interface WriteMessage {
  readonly type: 'fs-write';
  readonly id: number;
  readonly handle: number;
  readonly data: Uint8Array;
}

/** Close an open file and rename it into place if its size and SHA-256 match; replies `null`. */
export interface CommitMessage {
  readonly type: 'fs-commit';
  readonly id: number;
  readonly handle: number;
  readonly size: number;
  /** Hex SHA-256 of everything written. */
  readonly sha256: string;
}

/** Drop an open file and its temporary name; replies `null`. */
export interface AbortMessage {
  readonly type: 'fs-abort';
  readonly id: number;
  readonly handle: number;
}

/** Read a (small) file; replies with its bytes, or `null` when there is no such file. */
export interface ReadMessage {
  readonly type: 'fs-read';
  readonly id: number;
  readonly path: string;
}

/** Remove a file or a folder with everything in it; replies `null`. */
export interface RemoveMessage {
  readonly type: 'fs-remove';
  readonly id: number;
  readonly path: string;
}

/** The agent's answer to a request: `value`, or `error` when it failed. */
export interface ReplyMessage {
  readonly type: 'reply';
  readonly id: number;
  readonly value?: unknown;
  readonly error?: WireError;
}

/** Text a slot worker wrote to its stdout or stderr. */
export interface OutputMessage {
  readonly type: 'output';
  readonly slot: number;
  readonly stream: 'stdout' | 'stderr';
  readonly text: string;
}

/** A slot worker's process ended. */
export interface ExitedMessage {
  readonly type: 'exited';
  readonly slot: number;
  readonly pid: number;
  readonly code: number | null;
  readonly signal: string | null;
}

/** The file requests of the agent channel. */
export type FileRequest = MakeTempDirMessage | MakeDirMessage | OpenMessage | WriteMessage | CommitMessage | AbortMessage | ReadMessage | RemoveMessage;

/** What the controller sends a host agent after `welcome`. */
export type AgentRequest = StartMessage | KillMessage | LinkMessage | FileRequest;

/** What a host agent sends the controller after `join`. */
export type AgentReport = ReplyMessage | OutputMessage | ExitedMessage;
