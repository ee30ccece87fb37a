/**
 * Moleculer's built-in TCP transporter, kept on loopback. Moleculer 0.14's TCP reader
 * listens on every interface (`server.listen({ port, exclusive })`, no host) and dials
 * a peer by the host name it announces; this subclass binds 127.0.0.1 and dials
 * 127.0.0.1, and changes nothing else: packets, serializer (JSON), framing, and the
 * per-call path are Moleculer's own.
 */
import { Server } from 'node:net';
import { Transporters, type BrokerOptions } from 'moleculer';

/** The node ID of the calling broker (in the bench's process). */
export const CALLER_NODE = 'bench-caller';
/** The node ID of the broker serving `math.add` (in a child process). */
export const SERVICE_NODE = 'bench-math';

/** The untyped parts of Moleculer's TCP transporter that the subclass overrides. */
interface TcpInternals {
  startTcpServer(): Promise<unknown>;
}

/** Moleculer's TCP transporter with its server bound to, and its peers dialled on, 127.0.0.1. */
export class LoopbackTcpTransporter extends Transporters.TCP {
  /** Starts Moleculer's own TCP server, with `listen` given host 127.0.0.1. */
  startTcpServer(): Promise<unknown> {
    const listen = Server.prototype.listen;
    // Moleculer calls `server.listen({ port, exclusive })` synchronously in here; add the host to it.
    Server.prototype.listen = function (this: Server, ...args: unknown[]) {
      const [options, ...rest] = args;
      const withHost = typeof options === 'object' && options !== null ? { ...options, host: '127.0.0.1' } : options;
      return (listen as (...a: unknown[]) => Server).call(this, withHost, ...rest);
    } as typeof listen;
    try {
      return (Transporters.TCP.prototype as unknown as TcpInternals).startTcpServer.call(this);
    } finally {
      Server.prototype.listen = listen;
    }
  }

  /** Every node of the comparison runs on this machine: dial loopback. */
  getNodeAddress(): string {
    return '127.0.0.1';
  }
}

/**
 * Broker options for one node of the comparison: TCP on loopback with UDP discovery off
 * and both nodes listed explicitly (`urls`), the logger off, no process signal or exit
 * handlers (the bench stops its brokers itself), everything else Moleculer's defaults
 * (JSON serializer, no metrics, no tracing, no retries, no request timeout).
 */
export function brokerOptions(nodeID: string, ports: { caller: number; service: number }): BrokerOptions {
  const port = nodeID === CALLER_NODE ? ports.caller : ports.service;
  return {
    nodeID,
    logger: false,
    skipProcessEventRegistration: true,
    transporter: new LoopbackTcpTransporter({
      udpDiscovery: false,
      port,
      urls: [`127.0.0.1:${ports.caller}/${CALLER_NODE}`, `127.0.0.1:${ports.service}/${SERVICE_NODE}`],
    }),
  };
}
