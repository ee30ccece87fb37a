import type { WireError } from '@hostgrid/protocol';

/** Where an error happened, as far as the grid knows. */
export interface ErrorContext {
  /** The host's name. */
  readonly host?: string | undefined;
  /** The slot on that host. */
  readonly slot?: number | undefined;
  /** The service id, e.g. `"Replica.1"`. */
  readonly service?: string | undefined;
  /** The method called. */
  readonly method?: string | undefined;
}

/** Options every Hostgrid error takes. */
export interface HostgridErrorOptions extends ErrorContext {
  /** What went wrong, for people. */
  readonly message: string;
  /** The error underneath, if any. */
  readonly cause?: unknown;
}

/**
 * Base of every error Hostgrid throws. Test `err.name` rather than `instanceof`: the name
 * survives duplicated package copies; a class does not.
 */
export class HostgridError extends Error {
  override readonly name: string = 'HostgridError';
  /** The host the error concerns, when there is one. */
  readonly host: string | undefined;
  /** The slot the error concerns, when there is one. */
  readonly slot: number | undefined;
  /** The service id the error concerns, when there is one. */
  readonly service: string | undefined;
  /** The method the error concerns, when there is one. */
  readonly method: string | undefined;

  constructor(options: HostgridErrorOptions) {
    super(options.message.startsWith('[hostgrid]') ? options.message : `[hostgrid] ${options.message}`, { cause: options.cause });
    this.host = options.host;
    this.slot = options.slot;
    this.service = options.service;
    this.method = options.method;
  }
}

/** Options of a {@link RemoteError}. */
export interface RemoteErrorOptions extends ErrorContext {
  /** The error as the worker sent it. */
  readonly remote: WireError;
}

/**
 * User code on a host threw (or its promise rejected). `remoteName`, `message` and
 * `remoteStack` are the remote error's; `data` holds its own properties (such as `code`).
 * Always this class, whatever the remote name: a name from the wire never picks a constructor.
 */
export class RemoteError extends HostgridError {
  override readonly name = 'RemoteError';
  /** The remote error's `name`, e.g. `"TypeError"`. */
  readonly remoteName: string;
  /** The remote stack trace, as the worker saw it. */
  readonly remoteStack: string | undefined;
  /** Own properties of the remote error that could be sent (e.g. `code`). */
  readonly data: Readonly<Record<string, unknown>> | undefined;

  constructor(options: RemoteErrorOptions) {
    const { remote } = options;
    const where = describeWhere(options);
    super({
      ...options,
      message: `${remote.name}: ${remote.message}${where === '' ? '' : ` (${where})`}`,
      cause: remote.cause === undefined ? undefined : new RemoteError({ ...options, remote: remote.cause }),
    });
    this.remoteName = remote.name;
    this.remoteStack = remote.stack;
    this.data = remote.data;
    if (remote.stack !== undefined) this.stack = `${this.stack ?? ''}\n  --- remote stack ---\n${remote.stack}`;
  }
}

/** A result, an acquire or a start did not come in time. The operation itself may go on. */
export class TimeoutError extends HostgridError {
  override readonly name = 'TimeoutError';
  /** The time that ran out, in ms. */
  readonly timeoutMs: number;
  constructor(options: HostgridErrorOptions & { readonly timeoutMs: number }) {
    super(options);
    this.timeoutMs = options.timeoutMs;
  }
}

/** A worker (or its host, or the link to it) went away; the calls it had were not completed. */
export class WorkerLostError extends HostgridError {
  override readonly name = 'WorkerLostError';
  /** The last lines the worker wrote to stderr, when the transport carried them. */
  readonly stderr: string | undefined;
  constructor(options: HostgridErrorOptions & { readonly stderr?: string }) {
    super(options);
    this.stderr = options.stderr;
  }
}

/** No service with that id is published on this grid (the seed's 'Service type "…" not known'). */
export class ServiceNotFoundError extends HostgridError {
  override readonly name = 'ServiceNotFoundError';
}

/** The method is not callable on the service: only prototype methods of the published class are. */
export class MethodNotFoundError extends HostgridError {
  override readonly name = 'MethodNotFoundError';
}

/** A peer broke the protocol: an undecodable or malformed frame, or another protocol version. */
export class ProtocolError extends HostgridError {
  override readonly name = 'ProtocolError';
}

/** A host could not load a published class: its module failed to import, or has no such export. */
export class LoadError extends HostgridError {
  override readonly name = 'LoadError';
  /** The remote error, as the worker sent it. */
  readonly remote: WireError | undefined;
  constructor(options: HostgridErrorOptions & { readonly remote?: WireError }) {
    super(options);
    this.remote = options.remote;
  }
}

/** An argument or a published state cannot be sent (a function, a symbol, …). Nothing was sent. */
export class SerializationError extends HostgridError {
  override readonly name = 'SerializationError';
}

/**
 * A class cannot be published as it is: it has a method named `then`. A proxy with a
 * callable `then` would be taken for a promise by `await` and by every promise that
 * resolves with it (`acquireService`'s own), which would call it with two functions
 * and lose the server. Rename the method. Nothing stays published.
 */
export class ThenableServiceError extends HostgridError {
  override readonly name = 'ThenableServiceError';
}

/**
 * No host of that name is in the grid (`acquireService(id, { host })`, `removeHost`), or it
 * is being removed; the message names the hosts there are.
 */
export class HostNotFoundError extends HostgridError {
  override readonly name = 'HostNotFoundError';
}

/** A call was made on a proxy after `releaseService`. */
export class ProxyReleasedError extends HostgridError {
  override readonly name = 'ProxyReleasedError';
}

/** The grid (or the service) was terminated; the operation cannot complete. */
export class HaltedError extends HostgridError {
  override readonly name = 'HaltedError';
}

/** Files could not be staged: bad input (a missing root, a pattern or link escaping it), a
 * temp path that cannot be made, a write that failed, or a module that was never staged. */
export class StagingError extends HostgridError {
  override readonly name = 'StagingError';
  /** The file or folder concerned, when there is one. */
  readonly path: string | undefined;
  constructor(options: HostgridErrorOptions & { readonly path?: string | undefined }) {
    super(options);
    this.path = options.path;
  }
}

/**
 * `Grid.start` was called inside a Hostgrid worker: the module of a published class starts
 * a grid of its own at import, which every worker does when it imports the class, so each
 * would start workers without end. Put the class in a module of its own and start the grid
 * from another; pass `allowInWorker: true` to start a grid from a worker on purpose.
 */
export class NestedGridError extends HostgridError {
  override readonly name = 'NestedGridError';
}

/** Formats `"Replica.step" on host "h2" slot 0` from what is known. */
export function describeWhere(context: ErrorContext): string {
  const parts: string[] = [];
  if (context.method !== undefined) parts.push(`calling "${context.service ?? '?'}.${context.method}"`);
  else if (context.service !== undefined) parts.push(`service "${context.service}"`);
  if (context.host !== undefined) parts.push(`on host "${context.host}"${context.slot === undefined ? '' : ` slot ${context.slot}`}`);
  return parts.join(' ');
}
