/** Options of one call. */
export interface CallOptionsInit {
  /**
   * Aborting rejects the call's result at once with the signal's reason. A call still
   * queued on its server is dropped there; a call that already started is not
   * interrupted: it runs to its end (its value is discarded), and its server stays held
   * until then.
   */
  readonly signal?: AbortSignal;
}

/**
 * Options for one proxy call, passed as its last argument:
 * `proxy.sample(100, callOptions({ signal }))`. They are not sent to the host.
 */
export class CallOptions {
  readonly signal: AbortSignal | undefined;

  constructor(init: CallOptionsInit) {
    this.signal = init.signal;
  }
}

/** Makes {@link CallOptions} for a proxy call's last argument. */
export function callOptions(init: CallOptionsInit): CallOptions {
  return new CallOptions(init);
}
