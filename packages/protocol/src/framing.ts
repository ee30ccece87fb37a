import { InvalidMessageError } from './validate.js';

/**
 * What a worker writes on a byte stream before its first frame, when the stream may carry
 * other bytes first (a login shell's or an init command's output on an SSH channel).
 * The reader drops everything up to and including it.
 */
export const STREAM_PREAMBLE = '\nhostgrid-frames-follow\n';

/**
 * Drops bytes until {@link STREAM_PREAMBLE} has passed, then hands the rest on; returns
 * what came before it as text through `skipped` (for diagnostics).
 */
export class PreambleScanner {
  #seen = '';
  #done = false;

  /** Returns the bytes after the preamble once it has been seen, else `undefined`. */
  push(chunk: Buffer, skipped: (text: string) => void): Buffer | undefined {
    if (this.#done) return chunk;
    const text = this.#seen + chunk.toString('latin1');
    const at = text.indexOf(STREAM_PREAMBLE);
    if (at < 0) {
      // Keep only what may still be the start of the preamble.
      const keep = Math.max(0, text.length - STREAM_PREAMBLE.length);
      if (keep > 0) skipped(text.slice(0, keep));
      this.#seen = text.slice(keep);
      return undefined;
    }
    this.#done = true;
    if (at > 0) skipped(text.slice(0, at));
    const rest = Buffer.from(text.slice(at + STREAM_PREAMBLE.length), 'latin1');
    this.#seen = '';
    return rest;
  }

  /**
   * Text held back while it might still have been the start of the preamble; call it when
   * the stream ends without one, so that a failed start's last words are not lost.
   */
  flush(): string {
    const text = this.#done ? '' : this.#seen;
    this.#seen = '';
    return text;
  }
}

/** Bytes in a frame header: a big-endian uint32 body length. */
export const FRAME_HEADER_BYTES = 4;

/** The largest frame body a {@link FrameDecoder} accepts unless told otherwise (256 MiB). */
export const DEFAULT_MAX_FRAME_BYTES = 256 * 1024 * 1024;

/** Frames at most this large are copied into one shared write buffer; larger ones are written as they are. */
const COALESCE_LIMIT = 64 * 1024;

/**
 * Splits a byte stream into length-prefixed frames. Feed it chunks as they arrive;
 * it hands out each complete frame body, without copying when a frame lies within one chunk.
 */
export class FrameDecoder {
  readonly #maxFrameBytes: number;
  // Chunks of an incomplete frame wait here untouched until the whole frame has come,
  // then are joined once: a large frame costs one copy, not one per chunk.
  #held: Buffer[] = [];
  #heldBytes = 0;
  #needed = FRAME_HEADER_BYTES;

  /** @param maxFrameBytes - a larger declared length is a protocol violation @defaultValue 256 MiB */
  constructor(maxFrameBytes = DEFAULT_MAX_FRAME_BYTES) {
    this.#maxFrameBytes = maxFrameBytes;
  }

  /**
   * Adds a chunk and calls `onFrame` for every frame it completes, in order.
   *
   * @throws {@link InvalidMessageError} when a frame declares a length over the limit;
   *   the stream cannot be resynchronised after that, so close it
   */
  push(chunk: Buffer, onFrame: (frame: Buffer) => void): void {
    if (this.#heldBytes > 0) {
      this.#held.push(chunk);
      this.#heldBytes += chunk.length;
      if (this.#heldBytes < this.#needed) return;
      chunk = Buffer.concat(this.#held, this.#heldBytes);
      this.#held = [];
      this.#heldBytes = 0;
    }
    let offset = 0;
    this.#needed = FRAME_HEADER_BYTES;
    while (chunk.length - offset >= FRAME_HEADER_BYTES) {
      const length = chunk.readUInt32BE(offset);
      if (length > this.#maxFrameBytes) {
        throw new InvalidMessageError(`frame of ${length} bytes exceeds the limit of ${this.#maxFrameBytes}`);
      }
      const end = offset + FRAME_HEADER_BYTES + length;
      if (end > chunk.length) {
        this.#needed = FRAME_HEADER_BYTES + length;
        break;
      }
      onFrame(chunk.subarray(offset + FRAME_HEADER_BYTES, end));
      offset = end;
    }
    if (offset < chunk.length) {
      this.#held = [chunk.subarray(offset)];
      this.#heldBytes = chunk.length - offset;
    }
  }

  /** Bytes held for a frame that is not complete yet. */
  get pendingBytes(): number {
    return this.#heldBytes;
  }
}

/**
 * Frames queued during one turn of the event loop, handed over together at its end:
 * the scheduling that {@link FrameWriter} and `MessageBatcher` share.
 */
export abstract class TurnQueue {
  #frames: Uint8Array[] = [];
  #bytes = 0;
  #scheduled = false;
  readonly #flush = (): void => this.flush();

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
    const bytes = this.#bytes;
    this.#bytes = 0;
    this.send(frames, bytes);
  }

  /** Sends one turn's frame bodies, `bytes` in all (headers not counted). */
  protected abstract send(frames: readonly Uint8Array[], bytes: number): void;
}

/**
 * Packs frame bodies with their 4-byte headers: small frames are copied into shared
 * buffers of at most `limit` bytes; a frame larger than that is handed over as its own
 * header and body, so that the body is not copied. `emit` receives each buffer, or each
 * header and body pair, in order.
 */
export function packFrames(frames: readonly Uint8Array[], bytes: number, limit: number, emit: (parts: Uint8Array[]) => void): void {
  let batch = Buffer.allocUnsafe(Math.min(bytes + FRAME_HEADER_BYTES * frames.length, limit));
  let at = 0;
  const send = (): void => {
    if (at === 0) return;
    emit([batch.subarray(0, at)]);
    batch = batch.subarray(at);
    at = 0;
  };
  for (const body of frames) {
    const size = FRAME_HEADER_BYTES + body.byteLength;
    if (size > limit) {
      send();
      const header = Buffer.allocUnsafe(FRAME_HEADER_BYTES);
      header.writeUInt32BE(body.byteLength, 0);
      emit([header, body]);
      continue;
    }
    if (at + size > batch.length) {
      send();
      batch = Buffer.allocUnsafe(limit);
    }
    batch.writeUInt32BE(body.byteLength, at);
    batch.set(body, at + FRAME_HEADER_BYTES);
    at += size;
  }
  send();
}

/**
 * Writes length-prefixed frames to a byte sink, coalescing: every frame written in the
 * same turn of the event loop goes out in one `write` of one buffer (frames over 64 KiB
 * are passed through as their own chunk to avoid a copy). Per-write system calls and
 * wake-ups cost more than encoding, so this is what makes pipelined calls fast.
 */
export class FrameWriter extends TurnQueue {
  readonly #sink: (chunks: readonly Uint8Array[]) => void;

  /** @param sink - receives each batch: one or more chunks to write in order */
  constructor(sink: (chunks: readonly Uint8Array[]) => void) {
    super();
    this.#sink = sink;
  }

  protected send(frames: readonly Uint8Array[], bytes: number): void {
    const chunks: Uint8Array[] = [];
    packFrames(frames, bytes, COALESCE_LIMIT + FRAME_HEADER_BYTES, (parts) => chunks.push(...parts));
    this.#sink(chunks);
  }
}
