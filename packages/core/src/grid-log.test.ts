import { createWorkerSession } from '@hostgrid/worker';
import { Grid, type LogFields, type Logger, type LogLevel } from '@hostgrid/core';
import { Recorder, memoryTransport } from '@hostgrid/core/testing';
import { describe, expect, it } from 'vitest';

interface Entry {
  readonly level: LogLevel;
  readonly fields: LogFields;
  readonly message: string | undefined;
}

/** A logger of pino's shape that keeps every line; `trace: false` leaves `trace` out, `traceEnabled` answers `isLevelEnabled('trace')`. */
function recordingLogger(options: { trace?: boolean; traceEnabled?: boolean } = {}): Logger & { entries: Entry[]; at(level: LogLevel): Entry[] } {
  const entries: Entry[] = [];
  const method = (level: LogLevel) => (fields: Record<string, unknown>, message?: string): void => void entries.push({ level, fields, message });
  return {
    entries,
    at: (level) => entries.filter((entry) => entry.level === level),
    ...(options.trace === false ? {} : { trace: method('trace') }),
    debug: method('debug'),
    info: method('info'),
    warn: method('warn'),
    error: method('error'),
    ...(options.traceEnabled === undefined ? {} : { isLevelEnabled: (level: string) => level !== 'trace' || options.traceEnabled === true }),
  };
}

const transport = () => memoryTransport({ serve: createWorkerSession });

/** Waits (a turn at a time) until `done()` holds. */
async function until(done: () => boolean): Promise<void> {
  while (!done()) await new Promise((resolve) => setTimeout(resolve, 5));
}

describe('Grid.start({ logger })', () => {
  it('logs the grid\'s life at debug, every call at trace, and a lost worker at warn, with host, slot, service and method as fields', async () => {
    const logger = recordingLogger();
    const memory = transport();
    await using grid = await Grid.start({ hosts: [{ name: 'h', slots: 2 }], transport: memory, logger });
    const id = await grid.publish(new Recorder());
    expect(logger.at('debug').map((e) => e.message)).toEqual([expect.stringMatching(/^started 2 workers on 1 hosts/), expect.stringMatching(new RegExp(`^published ${id.replace('.', '\\.')} on 2 servers`))]);
    expect(logger.at('debug').find((e) => e.message?.startsWith(`published ${id}`))?.fields).toEqual({ service: id });
    await grid.call(id, 'append', ['x']);
    const [started, done] = logger.at('trace');
    expect(started).toMatchObject({ fields: { service: id, method: 'append', host: 'h', slot: expect.any(Number) }, message: expect.stringMatching(new RegExp(`^call ${id}\\.append on h/\\d`)) });
    expect(done).toMatchObject({ fields: { service: id, method: 'append', host: 'h', elapsedMs: expect.any(Number) } });
    const lost = new Promise((resolve) => grid.once('server-lost', resolve));
    memory.crash('h', 1);
    await lost;
    expect(logger.at('warn')).toEqual([{ level: 'warn', fields: { host: 'h', slot: 1, err: expect.objectContaining({ name: 'WorkerLostError' }) }, message: expect.stringMatching(/^lost worker h\/1: /) }]);
  });

  it('makes no per-call lines for a logger without trace, or whose trace level is off', async () => {
    for (const logger of [recordingLogger({ trace: false }), recordingLogger({ traceEnabled: false })]) {
      await using grid = await Grid.start({ hosts: ['h'], transport: transport(), logger });
      const id = await grid.publish(new Recorder());
      await grid.call(id, 'append', ['x']);
      expect(logger.entries.filter((e) => e.message?.includes('.append'))).toEqual([]);
    }
  });

  it('warns on the logger of a failed call nobody handled, with its fields, whether or not "unobserved-failure" is listened to', async () => {
    const logger = recordingLogger();
    await using grid = await Grid.start({ hosts: ['h'], transport: transport(), logger });
    const id = await grid.publish(new Recorder());
    grid.call(id, 'fail', ['boom']);
    await until(() => logger.at('warn').length === 1);
    const heard: unknown[] = [];
    grid.on('unobserved-failure', (failure) => heard.push(failure));
    grid.call(id, 'fail', ['again']);
    await until(() => heard.length === 1 && logger.at('warn').length === 2);
    expect(logger.at('warn').map((e) => [e.fields.service, e.fields.method, (e.fields.err as Error).name, e.message])).toEqual([
      [id, 'fail', 'RemoteError', expect.stringMatching(/^unobserved failure: .*boom/)],
      [id, 'fail', 'RemoteError', expect.stringMatching(/^unobserved failure: .*again/)],
    ]);
  });

  it('keeps debug and verbose as they were: debug events (and per-call ones with verbose) beside the logger', async () => {
    const logger = recordingLogger({ trace: false });
    await using grid = await Grid.start({ hosts: ['h'], transport: transport(), logger, debug: true });
    const messages: string[] = [];
    grid.on('debug', (message) => messages.push(message));
    const id = await grid.publish(new Recorder());
    await grid.call(id, 'append', ['quiet']);
    grid.setDebug(true, true);
    await grid.call(id, 'append', ['loud']);
    grid.setDebug(false);
    const publishedAt = logger.entries.length;
    await grid.publish(new Recorder());
    expect(messages.filter((m) => m.includes('.append'))).toHaveLength(2);
    expect(messages[0]).toMatch(/^published Recorder\.1/);
    // With debug off, the logger still gets the grid's life: its level decides.
    expect(messages.some((m) => m.startsWith('published Recorder.2'))).toBe(false);
    expect(logger.entries.slice(publishedAt).map((e) => e.message)).toEqual([expect.stringMatching(/^published Recorder\.2/)]);
  });

  it('refuses a logger without the level methods, naming the one missing', async () => {
    const { debug, info, warn } = recordingLogger();
    await expect(Grid.start({ hosts: ['h'], transport: transport(), logger: { debug, info, warn } as unknown as Logger })).rejects.toThrow('[hostgrid] "logger" has no "error" method');
  });
});
