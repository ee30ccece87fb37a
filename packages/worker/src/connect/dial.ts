import { hostname } from 'node:os';
import { WebSocket, type RawData } from 'ws';
import { CloseCode, DEFAULT_MAX_FRAME_BYTES, PROTOCOL_VERSION, decode, encode, joinProof, parseChallenge, parseWelcome, type JoinClaim, type WelcomeMessage } from '@hostgrid/protocol';

/** How to reach the controller and who to say we are. */
export interface DialOptions {
  readonly url: string;
  /** PEM CA certificate(s) to trust instead of the system's (for `wss://`). */
  readonly ca?: Buffer;
  readonly token: string;
  readonly claim: JoinClaim;
  /** Slots offered (a host agent), else 0. */
  readonly slots: number;
  /** Limit for the whole handshake. @defaultValue 10000 */
  readonly timeoutMs?: number;
}

/** What the caller does with the connection once it is accepted: installed before any later message can arrive. */
export interface DialHandlers {
  message(data: Buffer): void;
  close(code: number, reason: string): void;
}

/** Dialling failed; `fatal` when trying again cannot help (refused token, version, untrusted certificate). */
export class DialError extends Error {
  override readonly name = 'DialError';
  readonly fatal: boolean;
  constructor(message: string, fatal: boolean, options?: ErrorOptions) {
    super(message, options);
    this.fatal = fatal;
  }
}

/** TLS verification failures: the controller's certificate is not trusted by this side. */
const CERT_CODES = new Set([
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_GET_ISSUER_CERT',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_UNTRUSTED',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

/** Why the controller closed a connection before welcoming it, for people. */
function refusal(code: number, reason: string, url: string): DialError {
  const said = reason === '' ? '' : ` ("${reason}")`;
  switch (code) {
    case CloseCode.Unauthorized:
      return new DialError(`the controller at ${url} refused to let us join (close ${code}${said}): check the token (HOSTGRID_TOKEN or --token-file) against the grid's`, true);
    case CloseCode.Version:
      return new DialError(`the controller at ${url} speaks another protocol version (close ${code}${said}): install the same Hostgrid version on both`, true);
    case CloseCode.HostTaken:
      return new DialError(`the controller at ${url} already has a connected host of this name (close ${code}${said})`, false);
    case CloseCode.UnknownHost:
      return new DialError(`the controller at ${url} has no such host in its grid (close ${code}${said})`, false);
    default:
      return new DialError(`the controller at ${url} closed the connection before accepting it (close ${code}${said})`, false);
  }
}

/**
 * Dials the controller and joins: answers its `challenge` with an HMAC proof of the
 * token (the token never crosses the wire) and waits for `welcome`. From the welcome on,
 * every message and the close go to `handlers`, installed in the same turn so that
 * nothing is missed.
 *
 * @throws {@link DialError}, `fatal` when retrying cannot help
 */
export function dial(options: DialOptions, handlers: DialHandlers): Promise<{ ws: WebSocket; welcome: WelcomeMessage }> {
  return new Promise((resolve, reject) => {
    let settled = false;
    const ws = new WebSocket(options.url, {
      perMessageDeflate: false,
      maxPayload: DEFAULT_MAX_FRAME_BYTES + 64,
      handshakeTimeout: options.timeoutMs ?? 10_000,
      ...(options.ca === undefined ? {} : { ca: options.ca }),
    });
    const timer = setTimeout(() => fail(new DialError(`no welcome from the controller at ${options.url} within ${options.timeoutMs ?? 10_000} ms`, false)), options.timeoutMs ?? 10_000);
    const fail = (error: DialError): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      ws.removeAllListeners();
      ws.on('error', () => undefined);
      ws.terminate();
      reject(error);
    };
    ws.on('error', (error: NodeJS.ErrnoException) => {
      const code = error.code ?? '';
      if (CERT_CODES.has(code)) {
        fail(new DialError(`the controller's certificate at ${options.url} is not trusted (${code}: ${error.message}): give --ca <file> with the CA certificate that signed it`, true, { cause: error }));
      } else {
        fail(new DialError(`cannot reach the controller at ${options.url}: ${error.message}`, false, { cause: error }));
      }
    });
    ws.on('unexpected-response', (_request, response) => {
      fail(new DialError(`the controller at ${options.url} answered HTTP ${response.statusCode ?? '?'} instead of a WebSocket upgrade`, false));
    });
    ws.on('close', (code: number, reason: Buffer) => fail(refusal(code, reason.toString(), options.url)));
    let step: 'challenge' | 'welcome' = 'challenge';
    ws.on('message', (data: RawData) => {
      try {
        const value = decode(data as Buffer);
        if (step === 'challenge') {
          const challenge = parseChallenge(value);
          if (challenge.version !== PROTOCOL_VERSION) {
            fail(new DialError(`the controller at ${options.url} speaks protocol version ${challenge.version}, this worker ${PROTOCOL_VERSION}: install the same Hostgrid version on both`, true));
            return;
          }
          const { claim } = options;
          ws.send(
            encode({
              type: 'join',
              version: PROTOCOL_VERSION,
              ...claim,
              slots: options.slots,
              proof: joinProof(options.token, challenge.nonce, claim),
              pid: process.pid,
              hostname: hostname(),
              node: process.version,
            }),
          );
          step = 'welcome';
          return;
        }
        const welcome = parseWelcome(value);
        settled = true;
        clearTimeout(timer);
        ws.removeAllListeners('message');
        ws.removeAllListeners('close');
        ws.on('message', (message: RawData) => handlers.message(message as Buffer));
        ws.on('close', (code: number, reason: Buffer) => handlers.close(code, reason.toString()));
        resolve({ ws, welcome });
      } catch (error) {
        fail(new DialError(`the controller at ${options.url} sent something unexpected while joining: ${(error as Error).message}`, false));
      }
    });
  });
}
