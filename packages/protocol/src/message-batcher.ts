import { FRAME_HEADER_BYTES, TurnQueue, packFrames } from './framing.js';
import { InvalidMessageError } from './validate.js';

/** Small frames of one turn are packed into messages of at most this many bytes (less when the peer accepts less). */
const BATCH_LIMIT = 64 * 1024;

/**
 * Packs frame bodies into messages for a message-based channel (a WebSocket): every
 * frame written in one turn of the event loop goes out in as few messages as possible.
 * A message is one or more whole length-prefixed frames (the same 4-byte big-endian
 * header as on byte streams); small frames are copied into shared messages of up to
 * 64 KiB or the peer's message limit, whichever is less; a larger frame is its own
 * message, handed over as two parts (header, body) so that the body is not copied (a
 * WebSocket sends them as fragments of one message).
 * One message per turn instead of one per frame is what makes pipelined calls fast.
 */
export class MessageBatcher extends TurnQueue {
  readonly #sink: (parts: readonly Uint8Array[]) => void;
  readonly #limit: number;

  /**
   * @param sink - receives each message, as the parts that make it up, in order
   * @param maxMessageBytes - the largest message the peer accepts (the agreed
   *   `maxFrameBytes`, the peer's `maxPayload`): shared messages stay within it, so that
   *   frames that each fit never add up to a message the peer refuses (1009)
   */
  constructor(sink: (parts: readonly Uint8Array[]) => void, maxMessageBytes: number) {
    super();
    this.#sink = sink;
    this.#limit = Math.max(1, Math.min(BATCH_LIMIT, maxMessageBytes));
  }

  protected send(frames: readonly Uint8Array[], bytes: number): void {
    packFrames(frames, bytes, this.#limit, this.#sink);
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
