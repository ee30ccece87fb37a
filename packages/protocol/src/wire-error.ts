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
 * Turns anything a piece of user code threw into a {@link WireError}. It never throws,
 * whatever the value: a revoked Proxy, getters or traps that throw, a `toString` that
 * throws, a symbol, `null`, a cyclic `cause`. A part of an error that cannot be read
 * is left out (a name falls back to `"Error"`, a message to a description of why); a value
 * that cannot be inspected at all is sent as `NonErrorThrown`.
 *
 * @param thrown - the thrown value; non-errors (a thrown string, say) are described by `String(thrown)`
 * @param isSendable - tells whether a value can be encoded, so that `data` never makes the error itself unsendable
 *   (one that throws counts as "no")
 */
export function toWireError(thrown: unknown, isSendable: (value: unknown) => boolean = () => true, depth = 0): WireError {
  let isError: boolean;
  try {
    isError = thrown instanceof Error;
  } catch (error) {
    // A revoked Proxy, or one whose getPrototypeOf trap throws.
    return { name: 'NonErrorThrown', message: `a value that cannot be inspected (${reason(error)})` };
  }
  if (!isError) return { name: 'NonErrorThrown', message: describe(thrown) };
  const error = thrown as Error;
  const name = read(error, 'name');
  const message = read(error, 'message');
  const wire: { -readonly [K in keyof WireError]: WireError[K] } = {
    name: !name.failed && typeof name.value === 'string' ? name.value : 'Error',
    message: message.failed ? `(its message cannot be read: ${message.value as string})` : typeof message.value === 'string' ? message.value : describe(message.value),
  };
  const stack = read(error, 'stack');
  if (typeof stack.value === 'string' && !stack.failed) wire.stack = stack.value;
  const data = dataOf(error, isSendable);
  if (data !== undefined) wire.data = data;
  const cause = read(error, 'cause');
  if (!cause.failed && cause.value !== undefined && depth < MAX_CAUSE_DEPTH) {
    wire.cause = toWireError(cause.value, isSendable, depth + 1);
  }
  return wire;
}

/** Reads one property; a getter or trap that throws gives `failed` and the reason as `value`. */
function read(target: object, key: string): { value: unknown; failed: boolean } {
  try {
    return { value: (target as Record<string, unknown>)[key], failed: false };
  } catch (error) {
    return { value: reason(error), failed: true };
  }
}

/** Own enumerable properties that can be sent, or undefined when there are none (or they cannot be listed). */
function dataOf(error: Error, isSendable: (value: unknown) => boolean): Record<string, unknown> | undefined {
  let keys: string[];
  try {
    keys = Object.keys(error);
  } catch {
    return undefined;
  }
  const data: Record<string, unknown> = {};
  let hasData = false;
  for (const key of keys) {
    if (key === 'cause' || key === 'name' || key === 'message' || key === 'stack' || key === '__proto__') continue;
    const { value, failed } = read(error, key);
    if (failed || !sendable(isSendable, value)) continue;
    data[key] = value;
    hasData = true;
  }
  return hasData ? data : undefined;
}

function sendable(isSendable: (value: unknown) => boolean, value: unknown): boolean {
  try {
    return isSendable(value) === true;
  } catch {
    return false;
  }
}

/** `String(value)`, or what can be said of a value whose conversion throws. */
function describe(value: unknown): string {
  try {
    return String(value);
  } catch {
    try {
      return `${Object.prototype.toString.call(value)} (its conversion to a string threw)`;
    } catch {
      return `a ${typeof value} that cannot be inspected`;
    }
  }
}

/** The message of an error thrown while reading a thrown value, read without trusting it. */
function reason(error: unknown): string {
  try {
    if (error instanceof Error && typeof error.message === 'string') return error.message;
  } catch {
    // A hostile value threw while we read it: say nothing more of it.
  }
  return 'it threw when read';
}
