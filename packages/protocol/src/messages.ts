import type { WireError } from './wire-error.js';

/**
 * Every message type on the wire. Controller → worker: `hello`, `create`, `call`,
 * `cancel`, `destroy`, `shutdown`, `ping`. Worker → controller: `ready`, `created`, `result`,
 * `failure`, `done`, `ping`.
 */
export const MessageType = {
  Hello: 'hello',
  Ready: 'ready',
  Create: 'create',
  Created: 'created',
  Call: 'call',
  Result: 'result',
  Failure: 'failure',
  Destroy: 'destroy',
  Done: 'done',
  Ping: 'ping',
  Shutdown: 'shutdown',
  Cancel: 'cancel',
} as const;

/** One of the {@link MessageType} strings. */
export type MessageTypeName = (typeof MessageType)[keyof typeof MessageType];

/** First message from the controller: who the worker is and how it keeps time. */
export interface HelloMessage {
  readonly type: 'hello';
  /** The controller's {@link PROTOCOL_VERSION}. */
  readonly version: number;
  /** The host name the controller knows this worker by. */
  readonly host: string;
  /** The slot number on that host, from 0. */
  readonly slot: number;
  /** How often the worker sends a `ping` when it has nothing else to send, in ms. */
  readonly heartbeatMs: number;
  /** The worker exits when it has heard nothing from the controller for this long, in ms (0: never). */
  readonly watchdogMs: number;
  /** The largest frame body the controller's end of this channel accepts (what its transport was configured with). */
  readonly maxFrameBytes: number;
}

/** The worker's answer to `hello`. */
export interface ReadyMessage {
  readonly type: 'ready';
  /** The worker's {@link PROTOCOL_VERSION}. */
  readonly version: number;
  /** The worker's process id on its host. */
  readonly pid: number;
  /** `process.version` of the worker's Node.js. */
  readonly node: string;
  /** `os.hostname()` as the worker sees it. */
  readonly hostname: string;
  /**
   * The channel's frame limit, agreed: the smaller of the `hello`'s and the largest frame
   * body the worker accepts. Neither end sends a larger frame body on this channel.
   */
  readonly maxFrameBytes: number;
}

/** How a `create` makes its instance. */
export type Construction =
  /** `new Export(...args)` */
  | { readonly kind: 'new'; readonly args: readonly unknown[] }
  /** `Object.create(Export.prototype)` given the published instance's own enumerable state. */
  | { readonly kind: 'revive'; readonly state: Readonly<Record<string, unknown>> };

/** Make an instance of a published class on the worker. Answered by `created` or `failure`. */
export interface CreateMessage {
  readonly type: 'create';
  readonly id: number;
  /** The service id the instance will answer to, e.g. `"Replica.1"`. */
  readonly service: string;
  /** URL (or path) of the module that exports the class. */
  readonly module: string;
  /** The export's name in that module (`"default"` for a default export). */
  readonly exportName: string;
  readonly construction: Construction;
}

/** An instance was made; `methods` are the names that may be called on it. */
export interface CreatedMessage {
  readonly type: 'created';
  readonly id: number;
  readonly methods: readonly string[];
}

/** Run one method of a service's instance. Calls to one service run one at a time, in arrival order. */
export interface CallMessage {
  readonly type: 'call';
  readonly id: number;
  readonly service: string;
  readonly method: string;
  readonly args: readonly unknown[];
}

/** A call's (or a `create`'s) value. */
export interface ResultMessage {
  readonly type: 'result';
  readonly id: number;
  readonly value: unknown;
}

/**
 * Why a request failed:
 * - `load`: the module could not be imported, or has no such class export;
 * - `call`: user code threw (or its promise rejected);
 * - `method`: the method is not callable on the service;
 * - `service`: the worker holds no instance of that service;
 * - `encode`: the value to send back could not be encoded;
 * - `protocol`: the request itself was malformed;
 * - `cancelled`: a `cancel` removed the call from its queue before it started.
 */
export type FailureKind = 'load' | 'call' | 'method' | 'service' | 'encode' | 'protocol' | 'cancelled';

/** A request failed; `error` describes what was thrown. */
export interface FailureMessage {
  readonly type: 'failure';
  readonly id: number;
  readonly kind: FailureKind;
  readonly error: WireError;
}

/**
 * Drop a queued call before it starts. Not answered itself: the call is then answered
 * with a `cancelled` failure, or, when it had already started, as usual.
 */
export interface CancelMessage {
  readonly type: 'cancel';
  /** The id of the call to drop. */
  readonly id: number;
  readonly service: string;
}

/** Drop a service's instance on the worker. Answered by `done`. */
export interface DestroyMessage {
  readonly type: 'destroy';
  readonly id: number;
  readonly service: string;
}

/** A `destroy` has been carried out. */
export interface DoneMessage {
  readonly type: 'done';
  readonly id: number;
}

/** Heartbeat, sent by each side when it has sent nothing else for a heartbeat interval. */
export interface PingMessage {
  readonly type: 'ping';
}

/** Ask the worker to exit cleanly. */
export interface ShutdownMessage {
  readonly type: 'shutdown';
}

/** Messages the controller sends to a worker. */
export type ControllerMessage = HelloMessage | CreateMessage | CallMessage | CancelMessage | DestroyMessage | PingMessage | ShutdownMessage;

/** Messages a worker sends to the controller. */
export type WorkerMessage = ReadyMessage | CreatedMessage | ResultMessage | FailureMessage | DoneMessage | PingMessage;

/** Every message of the protocol. */
export type Message = ControllerMessage | WorkerMessage;
