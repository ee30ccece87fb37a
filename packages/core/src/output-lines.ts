/**
 * The longest line of a worker's output that is passed on whole, in characters (UTF-16
 * code units). A longer line (a `\r` progress bar that never writes a line end, say) is
 * passed on cut to this length and marked as cut, and the rest of it, up to its line end,
 * is dropped: the controller's memory for a worker's output stays bounded.
 */
export const MAX_OUTPUT_LINE_LENGTH = 64 * 1024;

/** What ends a line that was cut at `limit` characters. */
export function cutMarker(limit: number): string {
  return ` … [hostgrid: line cut at ${limit} characters]`;
}

/**
 * Splits a stream of text into lines (without their `\n`), in time linear in the text:
 * each chunk is scanned once, and an unfinished line is kept as a list of pieces, joined
 * once when it ends.
 */
export class LineSplitter {
  readonly #emit: (line: string) => void;
  readonly #limit: number;
  #pieces: string[] = [];
  #length = 0;
  /** The current line was cut and passed on already: drop the rest of it up to its line end. */
  #cut = false;

  /** @param limit - the longest line passed on whole @defaultValue {@link MAX_OUTPUT_LINE_LENGTH} */
  constructor(emit: (line: string) => void, limit = MAX_OUTPUT_LINE_LENGTH) {
    this.#emit = emit;
    this.#limit = limit;
  }

  /** Adds a chunk of text; every line it completes (or cuts) is emitted, in order. */
  push(text: string): void {
    let at = 0;
    for (let end = text.indexOf('\n'); end >= 0; end = text.indexOf('\n', at)) {
      this.#add(text, at, end);
      this.#endLine();
      at = end + 1;
    }
    this.#add(text, at, text.length);
  }

  /** The stream has ended: an unfinished line is emitted as it is. */
  flush(): void {
    if (this.#length > 0) this.#endLine();
    this.#cut = false;
  }

  #add(text: string, from: number, to: number): void {
    if (this.#cut || from === to) return;
    const room = this.#limit - this.#length;
    if (to - from <= room) {
      this.#pieces.push(text.slice(from, to));
      this.#length += to - from;
      return;
    }
    this.#pieces.push(text.slice(from, from + room));
    const line = this.#pieces.join('') + cutMarker(this.#limit);
    this.#pieces = [];
    this.#length = 0;
    this.#cut = true;
    this.#emit(line);
  }

  #endLine(): void {
    if (this.#cut) {
      this.#cut = false;
      return;
    }
    const line = this.#pieces.join('');
    this.#pieces = [];
    this.#length = 0;
    this.#emit(line);
  }
}
