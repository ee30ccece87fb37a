import type { StagingProgressEvent } from '@hostgrid/core';

const WIDTH = 24;

/** One line of staging progress: `staging local/3  [##########..............]  2/5 files  1.2 kB of 3.0 kB`. */
export function formatStaging(event: StagingProgressEvent): string {
  const done = event.bytesTotal === 0 ? 1 : event.bytesDone / event.bytesTotal;
  const filled = Math.round(done * WIDTH);
  const bar = `${'#'.repeat(filled)}${'.'.repeat(WIDTH - filled)}`;
  return `staging ${event.host.padEnd(12)} [${bar}]  ${event.filesDone}/${event.filesTotal} files  ${kb(event.bytesDone)} of ${kb(event.bytesTotal)}`;
}

function kb(bytes: number): string {
  return bytes < 1024 * 1024 ? `${(bytes / 1024).toFixed(1)} kB` : `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

/**
 * A progress bar per host for `grid.copyFiles`. On a terminal each host's line is redrawn
 * in place; elsewhere (a log, a pipe) only each host's finished line is written.
 */
export class StagingBars {
  readonly #out: NodeJS.WriteStream;
  readonly #lines = new Map<string, number>();

  constructor(out: NodeJS.WriteStream = process.stdout) {
    this.#out = out;
  }

  /** Draws one progress event. */
  update(event: StagingProgressEvent): void {
    const finished = event.filesDone === event.filesTotal;
    if (!this.#out.isTTY) {
      if (finished) this.#out.write(`${formatStaging(event)}\n`);
      return;
    }
    let line = this.#lines.get(event.host);
    if (line === undefined) {
      line = this.#lines.size;
      this.#lines.set(event.host, line);
      this.#out.write('\n');
    }
    const up = this.#lines.size - line;
    this.#out.write(`\x1b[${up}A\r\x1b[2K${formatStaging(event)}\x1b[${up}B\r`);
  }
}
