import { hostname } from 'node:os';
import {
  DEFAULT_MAX_FRAME_BYTES,
  PROTOCOL_VERSION,
  decode,
  encode,
  isSendable,
  parseControllerMessage,
  toWireError,
  type CallMessage,
  type ControllerMessage,
  type CreateMessage,
  type FailureKind,
  type HelloMessage,
  type WireError,
  type WorkerMessage,
} from '@hostgrid/protocol';
import { callableMethods } from './callable-methods.js';
import { Heartbeat } from './heartbeat.js';
import { Service, type CallOutcomes } from './service.js';
import { ServiceLoader, construct, importModule, type ModuleImporter } from './service-loader.js';
import { Watchdog } from './watchdog.js';
import { WorkerFailure } from './worker-failure.js';

/**
 * The worker's side of one channel to the controller. The session hands it frame
 * bodies (unframed); framing, if the channel is a byte stream, is the port's business.
 */
export interface WorkerPort {
  /** Sends one frame body. Must not throw when the peer is gone (the frame is then dropped). */
  send(frame: Uint8Array): void;
  /** Closes the channel after sending what was sent so far. Called exactly once, when the session ends. */
  close(): void;
}

/** Options of {@link createWorkerSession}. */
export interface WorkerSessionOptions {
  /**
   * Imports a module by URL and returns its namespace; a custom worker entry can use it
   * to load modules some other way (through a loader, from a bundle, …).
   * @defaultValue Node's `import()`
   */
  readonly importModule?: (url: string) => Promise<object>;
  /** Called once the handshake is done (after `ready` was sent), e.g. to start watching the parent process. */
  readonly onHello?: (hello: HelloMessage) => void;
  /**
   * The largest frame body the port accepts from the controller. The channel's limit is
   * the smaller of this and the `hello`'s, announced in `ready`; the session sends no
   * larger frame body (a result over it fails its call with kind `encode`).
   * @defaultValue `DEFAULT_MAX_FRAME_BYTES` (256 MiB)
   */
  readonly maxFrameBytes?: number;
}

/** Why a session ended. */
export interface SessionEnd {
  /**
   * - `shutdown`: the controller asked for it;
   * - `disconnected`: the channel ended ({@link WorkerSession.disconnected});
   * - `watchdog`: nothing came from the controller for the `watchdogMs` of its `hello`;
   * - `protocol`: a frame could not be decoded, or was not a valid message and had no id to answer;
   * - `version`: the controller speaks another protocol version (`ready` was still sent).
   */
  readonly reason: 'shutdown' | 'disconnected' | 'watchdog' | 'protocol' | 'version';
  /** One line for people, when there is more to say than the reason. */
  readonly detail?: string;
}

/** A running worker session: feed it the controller's frames, await its end. */
export interface WorkerSession {
  /** Handles one frame body from the controller. Ignored once the session has ended. */
  receive(frame: Uint8Array): void;
  /** The channel to the controller has ended: ends the session with reason `disconnected`. */
  disconnected(): void;
  /** Resolves once, when the session has ended (timers stopped, port closed). Never rejects. */
  readonly ended: Promise<SessionEnd>;
}

/**
 * Starts the transport-independent worker engine on a port: answers `hello` with
 * `ready`, creates instances of published classes, runs their calls one at a time per
 * service in arrival order, sends heartbeats and runs the watchdog. See the package
 * README for the full semantics.
 */
export function createWorkerSession(port: WorkerPort, options: WorkerSessionOptions = {}): WorkerSession {
  const session = new Session(port, options.importModule ?? importModule, options.onHello, options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES);
  return {
    receive: (frame) => session.receive(frame),
    disconnected: () => session.end({ reason: 'disconnected' }),
    ended: session.ended,
  };
}

const PING = encode({ type: 'ping' });
/** How much of an error's message a failure too large for the channel keeps. */
const FAILURE_MESSAGE_CHARS = 1024;

class Session implements CallOutcomes {
  readonly ended: Promise<SessionEnd>;
  readonly #port: WorkerPort;
  readonly #loader: ServiceLoader;
  readonly #services = new Map<string, Service>();
  #resolveEnded!: (end: SessionEnd) => void;
  #over = false;
  #greeted = false;
  #heartbeat: Heartbeat | undefined;
  #watchdog: Watchdog | undefined;
  /** The largest frame body this session sends: its own limit until `hello` brings the controller's. */
  #maxFrameBytes: number;

  readonly #onHello: ((hello: HelloMessage) => void) | undefined;

  constructor(port: WorkerPort, importer: ModuleImporter, onHello: ((hello: HelloMessage) => void) | undefined, maxFrameBytes: number) {
    this.#port = port;
    this.#onHello = onHello;
    this.#maxFrameBytes = maxFrameBytes;
    this.#loader = new ServiceLoader(importer);
    this.ended = new Promise((resolve) => {
      this.#resolveEnded = resolve;
    });
  }

  receive(frame: Uint8Array): void {
    if (this.#over) return;
    this.#watchdog?.heard();
    let value: unknown;
    try {
      value = decode(frame);
    } catch (error) {
      this.end({ reason: 'protocol', detail: messageOf(error) });
      return;
    }
    let message: ControllerMessage;
    try {
      message = parseControllerMessage(value);
    } catch (error) {
      const id = idOf(value);
      if (id === undefined) this.end({ reason: 'protocol', detail: messageOf(error) });
      else this.refused(id, new WorkerFailure('protocol', messageOf(error)));
      return;
    }
    switch (message.type) {
      case 'call':
        this.#call(message);
        break;
      case 'ping':
        break;
      case 'hello':
        this.#hello(message);
        break;
      case 'create':
        this.#create(message);
        break;
      case 'destroy': {
        const service = this.#services.get(message.service);
        if (service !== undefined) {
          this.#services.delete(message.service);
          service.drop(new WorkerFailure('service', `service "${message.service}" was destroyed on this worker`));
        }
        this.#send({ type: 'done', id: message.id });
        break;
      }
      case 'cancel':
        this.#services.get(message.service)?.cancel(message.id);
        break;
      case 'shutdown':
        this.end({ reason: 'shutdown' });
        break;
      default:
        message satisfies never;
    }
  }

  end(end: SessionEnd): void {
    if (this.#over) return;
    this.#over = true;
    this.#heartbeat?.stop();
    this.#watchdog?.stop();
    for (const service of this.#services.values()) {
      service.drop(new WorkerFailure('service', `service "${service.name}" is gone: the worker session ended`));
    }
    this.#services.clear();
    try {
      this.#port.close();
    } finally {
      this.#resolveEnded(end);
    }
  }

  #hello(hello: HelloMessage): void {
    if (this.#greeted) {
      this.end({ reason: 'protocol', detail: 'a second "hello" message on one session' });
      return;
    }
    this.#greeted = true;
    this.#maxFrameBytes = Math.min(this.#maxFrameBytes, hello.maxFrameBytes);
    this.#send({ type: 'ready', version: PROTOCOL_VERSION, pid: process.pid, node: process.version, hostname: hostname(), maxFrameBytes: this.#maxFrameBytes });
    if (hello.version !== PROTOCOL_VERSION) {
      this.end({
        reason: 'version',
        detail: `the controller speaks protocol version ${hello.version}, this worker speaks version ${PROTOCOL_VERSION}`,
      });
      return;
    }
    if (hello.heartbeatMs > 0) this.#heartbeat = new Heartbeat(hello.heartbeatMs, () => this.#sendFrame(PING));
    if (hello.watchdogMs > 0) {
      this.#watchdog = new Watchdog(hello.watchdogMs, (silentMs) =>
        this.end({ reason: 'watchdog', detail: `nothing heard from the controller for ${Math.round(silentMs)} ms` }),
      );
    }
    this.#onHello?.(hello);
  }

  #create(create: CreateMessage): void {
    if (this.#services.has(create.service)) {
      this.refused(create.id, new WorkerFailure('protocol', `service "${create.service}" already exists on this worker`));
      return;
    }
    // Registered before the import finishes, so that calls sent right behind the `create` queue instead of failing.
    const service = new Service(create.service, this);
    this.#services.set(create.service, service);
    void this.#make(create, service);
  }

  async #make(create: CreateMessage, service: Service): Promise<void> {
    let failure: WorkerFailure | undefined;
    try {
      const cls = await this.#loader.load(create.module, create.exportName);
      if (service.gone) {
        failure = new WorkerFailure('service', `service "${create.service}" was destroyed before it was created`);
      } else {
        const methods = callableMethods(cls);
        let instance: object;
        try {
          instance = construct(cls, create.construction);
        } catch (error) {
          this.#failure(create.id, 'call', toWireError(error, isSendable));
          this.#abandon(service, 'its constructor threw');
          return;
        }
        this.#send({ type: 'created', id: create.id, methods: [...methods.keys()] });
        service.ready(instance, methods, cls.name || create.exportName);
        return;
      }
    } catch (error) {
      failure =
        error instanceof WorkerFailure
          ? error
          : new WorkerFailure('load', `cannot load export "${create.exportName}" of module "${create.module}": ${messageOf(error)}`);
    }
    this.refused(create.id, failure);
    this.#abandon(service, 'it could not be created');
  }

  /** Forgets a service whose creation failed; calls queued behind its `create` fail (after the `create` itself has). */
  #abandon(service: Service, why: string): void {
    if (this.#services.get(service.name) === service) this.#services.delete(service.name);
    service.drop(new WorkerFailure('service', `no service "${service.name}" on this worker: ${why}`));
  }

  #call(call: CallMessage): void {
    const service = this.#services.get(call.service);
    if (service === undefined) {
      this.refused(call.id, new WorkerFailure('service', `no service "${call.service}" on this worker`));
      return;
    }
    service.call(call);
  }

  returned(service: Service, call: CallMessage, value: unknown): void {
    if (this.#over) return;
    let frame: Uint8Array;
    try {
      frame = encode({ type: 'result', id: call.id, value });
    } catch (error) {
      this.refused(
        call.id,
        new WorkerFailure('encode', `return value of "${service.className}.${call.method}" cannot be sent: ${messageOf(error)}`),
      );
      return;
    }
    // The controller would have to close the channel on a frame over the limit: refuse this one call instead.
    if (frame.byteLength > this.#maxFrameBytes) {
      this.refused(
        call.id,
        new WorkerFailure(
          'encode',
          `return value of "${service.className}.${call.method}" cannot be sent: it encodes to ${frame.byteLength} bytes, over the channel's frame limit of ${this.#maxFrameBytes} bytes`,
        ),
      );
      return;
    }
    this.#sendFrame(frame);
  }

  threw(call: CallMessage, error: unknown): void {
    this.#failure(call.id, 'call', toWireError(error, isSendable));
  }

  refused(id: number, failure: WorkerFailure): void {
    this.#failure(id, failure.kind, failure.toWire());
  }

  #failure(id: number, kind: FailureKind, error: WireError): void {
    if (this.#over) return;
    let frame: Uint8Array;
    try {
      frame = encode({ type: 'failure', id, kind, error });
    } catch (encodeError) {
      // toWireError keeps only sendable data, so this is a last resort that must still answer the request.
      frame = encode({
        type: 'failure',
        id,
        kind,
        error: { name: String(error.name), message: `${String(error.message)} (error details could not be sent: ${messageOf(encodeError)})` },
      });
    }
    if (frame.byteLength > this.#maxFrameBytes) {
      // An error carrying a huge message or data: its name and the start of its message still answer the request.
      const message = `${String(error.message).slice(0, FAILURE_MESSAGE_CHARS)} (error details could not be sent: they encode to ${frame.byteLength} bytes, over the channel's frame limit of ${this.#maxFrameBytes} bytes)`;
      frame = encode({ type: 'failure', id, kind, error: { name: String(error.name).slice(0, FAILURE_MESSAGE_CHARS), message } });
    }
    this.#sendFrame(frame);
  }

  #send(message: WorkerMessage): void {
    this.#sendFrame(encode(message));
  }

  #sendFrame(frame: Uint8Array): void {
    if (this.#over) return;
    this.#port.send(frame);
    this.#heartbeat?.sent();
  }
}

function idOf(value: unknown): number | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const id: unknown = (value as { id?: unknown }).id;
  return Number.isSafeInteger(id) ? (id as number) : undefined;
}

function messageOf(error: unknown): string {
  return toWireError(error).message;
}
