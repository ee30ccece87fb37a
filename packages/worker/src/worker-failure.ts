import type { FailureKind, WireError } from '@hostgrid/protocol';

/** The wire `name` of a failure the worker itself reports, by kind (kind `call` carries the user's own error). */
const NAMES: Readonly<Record<Exclude<FailureKind, 'call'>, string>> = {
  load: 'LoadError',
  method: 'MethodNotFoundError',
  service: 'ServiceNotFoundError',
  encode: 'UnsendableValueError',
  protocol: 'ProtocolError',
  cancelled: 'CancelledError',
};

/**
 * A request the worker refuses or cannot carry out for a reason of its own (as opposed
 * to user code throwing). Turned into a `failure` message of its `kind`.
 */
export class WorkerFailure extends Error {
  override readonly name = 'WorkerFailure';

  constructor(
    readonly kind: Exclude<FailureKind, 'call'>,
    message: string,
    /** What went wrong underneath (an import's error, say), already in wire form. */
    readonly wireCause?: WireError,
  ) {
    super(message);
  }

  /** This failure as it crosses the wire. Its stack is the worker's, of no use to anyone, so it is left out. */
  toWire(): WireError {
    return this.wireCause === undefined
      ? { name: NAMES[this.kind], message: this.message }
      : { name: NAMES[this.kind], message: this.message, cause: this.wireCause };
  }
}
