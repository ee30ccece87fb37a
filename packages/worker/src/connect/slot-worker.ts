import type { WebSocket } from 'ws';
import { CloseCode, InvalidMessageError, MessageBatcher, unpackFrames } from '@hostgrid/protocol';
import { createWorkerSession, type SessionEnd, type WorkerSessionOptions } from '../session.js';
import { dial, type DialOptions } from './dial.js';

/** A worker session over a WebSocket: how it ended, and when its last messages were handed to the OS. */
export interface SlotConnection {
  readonly ended: Promise<SessionEnd>;
  readonly flushed: Promise<void>;
}

/**
 * Runs one slot worker over a WebSocket: dials in with the slot's ticket, then speaks
 * the worker protocol, each WebSocket message carrying one or more whole frames (all
 * frames of one turn in one message). A message that does not split into whole frames
 * ends the session with reason `protocol`; the connection closing ends it as
 * `disconnected`.
 *
 * @throws `DialError` when the controller cannot be reached or refuses the slot
 */
export async function runSlotWorker(options: DialOptions, session: WorkerSessionOptions = {}): Promise<SlotConnection> {
  // Messages right behind the welcome (the controller's hello) can arrive before the session is attached: held until then.
  const held: Buffer[] = [];
  let closedEarly = false;
  let onMessage: (data: Buffer) => void = (data) => held.push(data);
  let onClose: () => void = () => (closedEarly = true);
  const { ws, welcome } = await dial(options, { message: (data) => onMessage(data), close: () => onClose() });
  return serveSession(ws, welcome.maxFrameBytes, session, (handlers) => {
    onMessage = handlers.message;
    onClose = handlers.close;
    for (const data of held.splice(0)) handlers.message(data);
    if (closedEarly) handlers.close();
  });
}

/** `maxMessageBytes` is the welcome's limit, the controller's `maxPayload`: no message sent may be larger. */
function serveSession(ws: WebSocket, maxMessageBytes: number, options: WorkerSessionOptions, attach: (handlers: { message(data: Buffer): void; close(): void }) => void): SlotConnection {
  let closed = false;
  let resolveFlushed!: () => void;
  const flushed = new Promise<void>((resolve) => (resolveFlushed = resolve));
  const batcher = new MessageBatcher((parts) => {
    if (ws.readyState !== ws.OPEN) return;
    for (let i = 0; i < parts.length; i++) ws.send(parts[i]!, { binary: true, fin: i === parts.length - 1 });
  }, maxMessageBytes);
  const session = createWorkerSession(
    {
      send(frame) {
        if (!closed) batcher.write(frame);
      },
      close() {
        if (closed) return;
        closed = true;
        batcher.flush();
        if (ws.readyState !== ws.OPEN) {
          resolveFlushed();
          return;
        }
        ws.once('close', () => resolveFlushed());
        ws.close(1000, 'worker session ended');
      },
    },
    options,
  );
  let fault: SessionEnd | undefined;
  attach({
    message(data) {
      if (fault !== undefined) return;
      try {
        unpackFrames(data, (frame) => session.receive(frame));
      } catch (error) {
        if (!(error instanceof InvalidMessageError)) throw error;
        fault = { reason: 'protocol', detail: error.message };
        ws.close(CloseCode.Protocol, 'bad message');
        session.disconnected();
      }
    },
    close() {
      resolveFlushed();
      session.disconnected();
    },
  });
  return { ended: session.ended.then((end) => fault ?? end), flushed: session.ended.then(() => flushed) };
}
