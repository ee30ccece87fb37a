import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { renderLivePage } from './live-page.js';
import type { LiveSnapshot } from './live-state.js';

/** Options of {@link LiveServer.start}. */
export interface LiveServerOptions {
  /** The state to show, taken once per update. */
  readonly snapshot: () => LiveSnapshot;
  /** The port on 127.0.0.1; 0 takes any free one. @defaultValue 0 */
  readonly port?: number;
  /** How often followers get the state, in ms. @defaultValue 250 */
  readonly intervalMs?: number;
  /** The most pages following at once; more are refused with 503. @defaultValue 32 */
  readonly maxFollowers?: number;
}

const HEADERS = { 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' } as const;

/**
 * The live view's web server, on 127.0.0.1 only, with `node:http`:
 *
 * - `GET /`: the page ({@link renderLivePage});
 * - `GET /state`: the state now, as JSON;
 * - `GET /events`: Server-Sent Events, one `message` with the state every `intervalMs`,
 *   and an `end` event when the server closes.
 *
 * Requests whose `Host` is not this address (a DNS-rebinding page) get 403. Close it with
 * {@link LiveServer.close} or `await using`.
 */
export class LiveServer implements AsyncDisposable {
  readonly #server: Server;
  readonly #options: LiveServerOptions;
  readonly #followers = new Set<ServerResponse>();
  #timer: NodeJS.Timeout | undefined;
  #port = 0;
  #closing: Promise<void> | undefined;

  private constructor(server: Server, options: LiveServerOptions) {
    this.#server = server;
    this.#options = options;
  }

  /**
   * Starts serving on 127.0.0.1.
   *
   * @throws Error (`EADDRINUSE`, `EACCES`, …) when the port cannot be had
   */
  static async start(options: LiveServerOptions): Promise<LiveServer> {
    const server = createServer();
    const live = new LiveServer(server, options);
    server.on('request', (request: IncomingMessage, response: ServerResponse) => live.#handle(request, response));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 0, '127.0.0.1', () => {
        server.off('error', reject);
        live.#port = (server.address() as AddressInfo).port;
        resolve();
      });
    });
    live.#timer = setInterval(() => live.#push(), options.intervalMs ?? 250);
    live.#timer.unref();
    return live;
  }

  /** The port it listens (or listened) on. */
  get port(): number {
    return this.#port;
  }

  /** The page's address, `http://127.0.0.1:<port>/`. */
  get url(): string {
    return `http://127.0.0.1:${this.port}/`;
  }

  #handle(request: IncomingMessage, response: ServerResponse): void {
    const host = request.headers.host ?? '';
    if (host !== `127.0.0.1:${this.port}` && host !== `localhost:${this.port}`) {
      response.writeHead(403, { ...HEADERS, 'content-type': 'text/plain' }).end('forbidden\n');
      return;
    }
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.writeHead(405, { ...HEADERS, allow: 'GET, HEAD', 'content-type': 'text/plain' }).end('method not allowed\n');
      return;
    }
    const path = new URL(request.url ?? '/', 'http://127.0.0.1').pathname;
    if (path === '/') {
      response.writeHead(200, { ...HEADERS, 'content-type': 'text/html; charset=utf-8' }).end(renderLivePage(this.#options.snapshot()));
    } else if (path === '/state') {
      response.writeHead(200, { ...HEADERS, 'content-type': 'application/json' }).end(JSON.stringify(this.#options.snapshot()));
    } else if (path === '/events') {
      this.#follow(response);
    } else {
      response.writeHead(404, { ...HEADERS, 'content-type': 'text/plain' }).end('not found\n');
    }
  }

  #follow(response: ServerResponse): void {
    if (this.#closing !== undefined || this.#followers.size >= (this.#options.maxFollowers ?? 32)) {
      response.writeHead(503, { ...HEADERS, 'content-type': 'text/plain' }).end('busy\n');
      return;
    }
    response.writeHead(200, { ...HEADERS, 'content-type': 'text/event-stream', connection: 'keep-alive' });
    response.write(`retry: 1000\ndata: ${JSON.stringify(this.#options.snapshot())}\n\n`);
    this.#followers.add(response);
    response.on('close', () => this.#followers.delete(response));
  }

  #push(): void {
    if (this.#followers.size === 0) return;
    const message = `data: ${JSON.stringify(this.#options.snapshot())}\n\n`;
    for (const follower of this.#followers) follower.write(message);
  }

  /** Sends every follower the last state and an `end` event, then stops serving. Idempotent. */
  close(): Promise<void> {
    this.#closing ??= new Promise<void>((resolve) => {
      clearInterval(this.#timer);
      this.#push();
      for (const follower of this.#followers) follower.end('event: end\ndata: {}\n\n');
      this.#followers.clear();
      this.#server.close(() => resolve());
      this.#server.closeIdleConnections();
      // Anything still open after a moment (a page mid-request) is cut.
      setTimeout(() => this.#server.closeAllConnections(), 200).unref();
    });
    return this.#closing;
  }

  /** {@link LiveServer.close}. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}
