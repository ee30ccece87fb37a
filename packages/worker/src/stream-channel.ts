import type { Readable, Writable } from 'node:stream';
import { FrameDecoder, FrameWriter, InvalidMessageError } from '@hostgrid/protocol';
import { createWorkerSession, type SessionEnd, type WorkerSessionOptions } from './session.js';

/** A worker session running over a pair of byte streams. */
export interface StreamChannel {
  /** How the session ended; a frame over the size limit ends it with reason `protocol`. */
  readonly ended: Promise<SessionEnd>;
  /** Resolves once the session has ended and everything it sent was handed to the OS (or the stream failed). */
  readonly flushed: Promise<void>;
}

/**
 * Runs a {@link createWorkerSession | worker session} over byte streams carrying
 * length-prefixed frames (`input` and `output` may be the same duplex socket). Frames
 * sent in one turn go out in one corked write. The end of `input` (EOF, close, error)
 * or an error on `output` disconnects the session. Write back-pressure is not applied:
 * a worker only sends what it was asked for, so its output is bounded by the calls.
 *
 * `output.write` is captured when this is called, so that replacing it afterwards
 * (as `--stdio` does, to send user output to stderr) does not touch the frames.
 */
export function runStreamChannel(input: Readable, output: Writable, options: WorkerSessionOptions = {}): StreamChannel {
  const write = output.write.bind(output) as (chunk: Uint8Array) => boolean;
  const writer = new FrameWriter((chunks) => {
    if (output.destroyed) return;
    output.cork();
    for (const chunk of chunks) write(chunk);
    output.uncork();
  });
  let resolveFlushed!: () => void;
  const flushed = new Promise<void>((resolve) => {
    resolveFlushed = resolve;
  });
  let closed = false;
  const session = createWorkerSession(
    {
      send(frame) {
        if (!closed) writer.write(frame);
      },
      close() {
        if (closed) return;
        closed = true;
        writer.flush();
        if (output.destroyed || output.writableFinished) resolveFlushed();
        else output.end(() => resolveFlushed());
      },
    },
    options,
  );

  let framingFault: SessionEnd | undefined;
  const decoder = new FrameDecoder();
  const onFrame = (frame: Buffer): void => session.receive(frame);
  const onData = (chunk: Buffer): void => {
    try {
      decoder.push(chunk, onFrame);
    } catch (error) {
      // Only the decoder's own refusal is a framing fault; anything else is a bug and must surface.
      if (!(error instanceof InvalidMessageError)) throw error;
      // The stream cannot be resynchronised after an oversized length: stop reading, end the session.
      framingFault = { reason: 'protocol', detail: error.message };
      input.off('data', onData);
      input.pause();
      session.disconnected();
    }
  };
  const disconnect = (): void => session.disconnected();
  input.on('data', onData);
  input.on('end', disconnect);
  input.on('close', disconnect);
  input.on('error', disconnect);
  const duplex = (input as unknown) === output; // --fd: one socket both ways
  if (!duplex) {
    output.on('error', disconnect);
    output.on('close', disconnect);
  }
  // When the output fails, `end`'s callback may never come: the stream has nothing left to flush.
  output.once('error', () => resolveFlushed());
  output.once('close', () => resolveFlushed());

  return { ended: session.ended.then((end) => framingFault ?? end), flushed: session.ended.then(() => flushed) };
}
