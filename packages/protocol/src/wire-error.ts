/**
 * An error as it crosses the wire: plain data, never a constructor. The receiver
 * always builds its own error class from it (see `RemoteError` in `@hostgrid/core`),
 * so a name sent by a peer can never pick which code runs.
 */
export interface WireError {
  /** The remote error's `name` (e.g. `"TypeError"`), for display and `err.remoteName`. */
  readonly name: string;
  /** The remote error's message. */
  readonly message: string;
  /** The remote stack trace, as text, when there was one. */
  readonly stack?: string;
  /** Own enumerable properties of the remote error (such as `code`), when they could be sent. */
  readonly data?: Record<string, unknown>;
  /** The remote error's `cause`, when it had one (followed at most 4 levels deep). */
  readonly cause?: WireError;
}

const MAX_CAUSE_DEPTH = 4;

/**
 * Turns anything a piece of user code threw into a {@link WireError}.
 *
 * @param thrown - the thrown value; non-errors (a thrown string, say) are described by `String(thrown)`
 * @param isSendable - tells whether a value can be encoded, so that `data` never makes the error itself unsendable
 */
export function toWireError(thrown: unknown, isSendable: (value: unknown) => boolean = () => true, depth = 0): WireError {
  if (!(thrown instanceof Error)) {
    return { name: 'NonErrorThrown', message: describe(thrown) };
  }
  const wire: { -readonly [K in keyof WireError]: WireError[K] } = {
    name: typeof thrown.name === 'string' ? thrown.name : 'Error',
    message: typeof thrown.message === 'string' ? thrown.message : describe(thrown.message),
  };
  if (typeof thrown.stack === 'string') wire.stack = thrown.stack;
  const data: Record<string, unknown> = {};
  let hasData = false;
  for (const key of Object.keys(thrown)) {
    if (key === 'cause' || key === 'name' || key === 'message' || key === 'stack' || key === '__proto__') continue;
    const value = (thrown as unknown as Record<string, unknown>)[key];
    if (isSendable(value)) {
      data[key] = value;
      hasData = true;
    }
  }
  if (hasData) wire.data = data;
  if (thrown.cause !== undefined && depth < MAX_CAUSE_DEPTH) {
    wire.cause = toWireError(thrown.cause, isSendable, depth + 1);
  }
  return wire;
}

function describe(value: unknown): string {
  try {
    return String(value);
  } catch {
    return Object.prototype.toString.call(value);
  }
}
