import { Grid, MAX_OUTPUT_LINE_LENGTH, type OutputEvent } from '@hostgrid/core';
import { describe, expect, it } from 'vitest';
import { localTransport } from './local-transport.js';

const CHATTY = new URL('./fixtures/chatty.mjs', import.meta.url);

interface Chatty {
  say(text: string): number;
  spew(total: number, chunk: number, after: string): number;
}

describe('worker output', () => {
  it('cuts a line with no line end at MAX_OUTPUT_LINE_LENGTH, marks it, and passes the next lines on whole', async () => {
    await using grid = await Grid.start({ hosts: [{ name: 'local', slots: 1 }], transport: localTransport() });
    const lines: OutputEvent[] = [];
    let total = 0;
    grid.on('output', (event) => {
      total += event.line.length;
      if (lines.length < 10) lines.push(event);
    });
    const id = await grid.publish({ module: CHATTY, export: 'Chatty' });
    const proxy = await grid.acquireService<Chatty>(id);
    // 32 MiB of a `\r` progress bar, in 4 KiB writes, then an ordinary line.
    const bytes = 32 * 1024 * 1024;
    expect(await proxy.spew(bytes, 4096, 'after the bar')).toBe(bytes);
    await proxy.say('still here');
    const said = `still here from ${(grid.servers(id)[0]!).pid}`;
    await until(() => lines.some((event) => event.line === said));

    const bar = lines[0]!;
    expect(bar.line.length).toBeLessThanOrEqual(MAX_OUTPUT_LINE_LENGTH + 100);
    expect(bar.line.startsWith('#'.repeat(4095))).toBe(true);
    expect(bar.line).toMatch(new RegExp(`… \\[hostgrid: line cut at ${MAX_OUTPUT_LINE_LENGTH} characters\\]$`));
    expect(lines.map((event) => event.line).slice(1)).toEqual(expect.arrayContaining(['after the bar', said]));
    // Everything passed on, cut lines included, is a few lines' worth, not the 32 MiB written.
    expect(total).toBeLessThan(MAX_OUTPUT_LINE_LENGTH + 1000);
  });
});

/** Waits until `done()` holds, checking on each turn of the event loop. */
async function until(done: () => boolean): Promise<void> {
  while (!done()) await new Promise((resolve) => setImmediate(resolve));
}
