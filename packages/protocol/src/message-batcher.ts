import { FRAME_HEADER_BYTES } from './framing.js';
import { InvalidMessageError } from './validate.js';

/** Small frames of one turn are packed into messages of at most this many bytes. */
const BATCH_LIMIT = 64 * 1024;

/**
 * Packs frame bodies into messages for a message-based channel (a WebSocket): every
 * frame written in one turn of the event loop goes out in as few messages as possible.
 * A message is one or more whole length-prefixed frames (the same 4-byte big-endian
 * header as on byte streams); small frames are copied into shared messages of up to
 * 64 KiB, a larger frame is its own message, handed over as two parts (header, body)
 * so that the body is not copied (a WebSocket sends them as fragments of one message).
 * One message per turn instead of one per frame is what makes pipelined calls fast.
 */
export class MessageBatcher {
  readonly #sink: (parts: readonly Uint8Array[]) => void;
  #frames: Uint8Array[] = [];
  #bytes = 0;
  #scheduled = false;
  readonly #flush = (): void => this.flush();

  /** @param sink - receives each message, as the parts that make it up, in order */
  constructor(sink: (parts: readonly Uint8Array[]) => void) {
    this.#sink = sink;
  }

  /** Queues one frame body; it is sent with the rest of this turn's frames. */
  write(body: Uint8Array): void {
    this.#frames.push(body);
    this.#bytes += body.byteLength;
    if (!this.#scheduled) {
      this.#scheduled = true;
      queueMicrotask(this.#flush);
    }
  }

  /** Sends what is queued now. Called by itself at the end of the turn. */
  flush(): void {
    this.#scheduled = false;
    const frames = this.#frames;
    if (frames.length === 0) return;
    this.#frames = [];
    const total = this.#bytes + FRAME_HEADER_BYTES * frames.length;
    this.#bytes = 0;
    let batch = Buffer.allocUnsafe(Math.min(total, BATCH_LIMIT));
    let at = 0;
    const send = (): void => {
      if (at === 0) return;
      this.#sink([batch.subarray(0, at)]);
      batch = batch.subarray(at);
      at = 0;
    };
    for (const body of frames) {
      const size = FRAME_HEADER_BYTES + body.byteLength;
      if (size > BATCH_LIMIT) {
        send();
        const header = Buffer.allocUnsafe(FRAME_HEADER_BYTES);
        header.writeUInt32BE(body.byteLength, 0);
        this.#sink([header, body]);
        continue;
      }
      if (at + size > batch.length) {
        send();
        batch = Buffer.allocUnsafe(BATCH_LIMIT);
      }
      batch.writeUInt32BE(body.byteLength, at);
      batch.set(body, at + FRAME_HEADER_BYTES);
      at += size;
    }
    send();
  }
}

/**
 * Splits one message made by a {@link MessageBatcher} into its frame bodies (views into
 * the message, not copies) and hands each to `onFrame`, in order.
 *
 * @throws {@link InvalidMessageError} when the message is empty, declares a frame over
 *   `maxFrameBytes`, or ends inside a frame (nothing of it is handed out then)
 */
export function unpackFrames(message: Buffer, onFrame: (frame: Buffer) => void, maxFrameBytes = Number.MAX_SAFE_INTEGER): void {
  if (message.length === 0) throw new InvalidMessageError('an empty message carries no frame');
  // Checked whole first, so that a bad message delivers no frame at all.
  let at = 0;
  while (at < message.length) {
    if (message.length - at < FRAME_HEADER_BYTES) throw new InvalidMessageError(`message of ${message.length} bytes ends inside a frame header`);
    const length = message.readUInt32BE(at);
    if (length > maxFrameBytes) throw new InvalidMessageError(`frame of ${length} bytes exceeds the limit of ${maxFrameBytes}`);
    at += FRAME_HEADER_BYTES + length;
    if (at > message.length) throw new InvalidMessageError(`message of ${message.length} bytes ends inside a frame of ${length} bytes`);
  }
  at = 0;
  while (at < message.length) {
    const length = message.readUInt32BE(at);
    onFrame(message.subarray(at + FRAME_HEADER_BYTES, at + FRAME_HEADER_BYTES + length));
    at += FRAME_HEADER_BYTES + length;
  }
}
