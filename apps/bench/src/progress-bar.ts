/**
 * A worker that writes a `\r` progress bar: output with no line end, for
 * `long-output.ts`. Its module imports nothing, so that publishing it costs little.
 */
export class ProgressBar {
  /** Writes `total` characters to stdout in writes of `chunk`, each ending in `\r`, then a line end and `after`. */
  async draw(total: number, chunk: number, after: string): Promise<number> {
    const piece = `${'#'.repeat(chunk - 1)}\r`;
    const write = (text: string): Promise<void> => new Promise((resolve) => process.stdout.write(text, () => resolve()));
    for (let written = 0; written < total; written += chunk) await write(piece);
    await write(`\n${after}\n`);
    return total;
  }
}
