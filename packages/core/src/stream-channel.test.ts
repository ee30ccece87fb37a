import { type ChildProcess, spawn } from 'node:child_process';
import { STREAM_PREAMBLE } from '@hostgrid/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { streamChannel } from './stream-channel.js';
import type { Channel, ChannelClosedInfo } from './transport.js';

// The transport conformance suite runs over streamChannel in launched-channel.test.ts.

describe('streamChannel', () => {
  const started: ChildProcess[] = [];
  afterEach(() => {
    for (const child of started.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });

  /** Opens a channel to `sh -c script` and collects what it reports. */
  function open(script: string): { channel: Channel; output: string[]; closed: Promise<ChannelClosedInfo>; frames: Uint8Array[] } {
    const child = spawn('sh', ['-c', script], { stdio: 'pipe' });
    started.push(child);
    const output: string[] = [];
    const frames: Uint8Array[] = [];
    let closedWith!: (info: ChannelClosedInfo) => void;
    const closed = new Promise<ChannelClosedInfo>((resolve) => (closedWith = resolve));
    const channel = streamChannel(child, { frame: (f) => frames.push(f), output: (_s, text) => output.push(text), closed: closedWith }, { name: 'sh', kill: () => child.kill('SIGKILL') });
    return { channel, output, closed, frames };
  }

  it('passes on what comes before the preamble as output and reports the exit code', async () => {
    const { output, closed, frames } = open('echo hello; echo world >&2; exit 3');
    const info = await closed;
    expect(output.join('')).toContain('hello');
    expect(output.join('')).toContain('world');
    expect(frames).toEqual([]);
    expect(info.code).toBe(3);
    expect(info.reason).toBe('sh exited with code 3');
  });

  it('kills the process and reports a ProtocolError for a corrupt stream', async () => {
    // The preamble, then a frame header announcing a body larger than any allowed.
    const { closed } = open(`printf '${preambleForShell()}\\377\\377\\377\\377'; exec sleep 60`);
    const info = await closed;
    expect(info.signal).toBe('SIGKILL');
    expect(info.error?.name).toBe('ProtocolError');
  });

  it('close() ends the input, waits for the exit, and kills after the grace', async () => {
    const polite = open('cat >/dev/null');
    await polite.channel.close(10_000);
    expect((await polite.closed).code).toBe(0);
    const stubborn = open('trap "" TERM; while :; do sleep 1; done </dev/null');
    await stubborn.channel.close(50);
    expect((await stubborn.closed).signal).toBe('SIGKILL');
  });

  it('reports a process that cannot be started', async () => {
    const child = spawn('/nonexistent/hostgrid-launcher', [], { stdio: 'pipe' });
    const closed = new Promise<ChannelClosedInfo>((resolve) => streamChannel(child, { frame: () => undefined, output: () => undefined, closed: resolve }, { kill: () => child.kill() }));
    const info = await closed;
    expect(info.error?.message).toContain('ENOENT');
  });
});

/** The stream preamble as printf octal escapes. */
function preambleForShell(): string {
  return [...Buffer.from(STREAM_PREAMBLE, 'latin1')].map((byte) => `\\${byte.toString(8).padStart(3, '0')}`).join('');
}


