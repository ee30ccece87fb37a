import type { Grid, UnobservedFailure } from '@hostgrid/core';
import { describe, expect, it } from 'vitest';
import { tasksGrid, type Tasks } from './fixtures/tasks-grid.js';

/** The message the remote code threw, out of a RemoteError's message. */
const thrown = (failure: UnobservedFailure): string => /RangeError: (.*?) \(calling/.exec((failure.error as Error).message)?.[1] ?? (failure.error as Error).message;

/** Resolves with the first `n` unobserved-failure events. */
function failures(grid: Grid, n: number): Promise<UnobservedFailure[]> {
  const seen: UnobservedFailure[] = [];
  return new Promise((resolve) => {
    grid.on('unobserved-failure', (failure) => {
      seen.push(failure);
      if (seen.length === n) resolve(seen);
    });
  });
}

/** Records what this process writes to stderr until disposed (and still writes it). */
function stderrLines(): { lines: string[]; next: Promise<void> } & Disposable {
  const write = process.stderr.write.bind(process.stderr);
  const lines: string[] = [];
  let wrote!: () => void;
  const next = new Promise<void>((resolve) => (wrote = resolve));
  process.stderr.write = ((chunk: string | Uint8Array, ...rest: never[]) => {
    lines.push(String(chunk));
    wrote();
    return write(chunk, ...rest);
  }) as typeof process.stderr.write;
  return { lines, next, [Symbol.dispose]: () => void (process.stderr.write = write) };
}

describe('no silent failures', () => {
  it('reports a failed call nobody handles as unobserved-failure: proxy call, grid.call, broadcast and scatter alike', async () => {
    await using f = await tasksGrid(1);
    const reported = failures(f.grid, 4);
    const proxy = await f.grid.acquireService<Tasks>(f.id);
    proxy.fail('by proxy');
    f.grid.releaseService(proxy);
    void f.grid.call(f.id, 'fail', ['by call']);
    f.grid.broadcast(f.id, 'fail', 'by broadcast');
    f.grid.scatter(f.id, 'fail', [['by scatter']]);
    // Handled failures are not reported.
    await expect(f.grid.call(f.id, 'fail', ['handled'])).rejects.toMatchObject({ name: 'RemoteError' });
    const events = await reported;
    expect(events.map(thrown).sort()).toEqual(['by broadcast', 'by call', 'by proxy', 'by scatter']);
    expect(events.every((event) => event.service === f.id && event.method === 'fail' && (event.error as Error).name === 'RemoteError')).toBe(true);
  });

  it('does not report a failure that gets a handler (get() or await) in the turn the call is made', async () => {
    await using f = await tasksGrid(1);
    const seen: UnobservedFailure[] = [];
    f.grid.on('unobserved-failure', (failure) => seen.push(failure));
    const result = f.grid.call(f.id, 'fail', ['caught']);
    await expect(result.get(10_000)).rejects.toThrow('caught');
    const proxy = await f.grid.acquireService<Tasks>(f.id);
    await expect(proxy.fail('awaited')).rejects.toThrow('awaited');
    // A later failure that is reported shows that the earlier ones would have been by now.
    const later = failures(f.grid, 1);
    proxy.fail('unhandled');
    await later;
    expect(seen.map(thrown)).toEqual(['unhandled']);
  });

  it('warns on stderr, naming the call, when nobody listens to unobserved-failure', async () => {
    await using f = await tasksGrid(1);
    using stderr = stderrLines();
    void f.grid.call(f.id, 'fail', ['nobody listens']);
    await stderr.next;
    expect(stderr.lines.join('')).toMatch(/\[hostgrid\] unobserved failure: RangeError: nobody listens \(calling "Tasks\.1\.fail" on host "local" slot 0\)/);
  });
  it('gives no warning for calls cut short by the program\'s own terminate', async () => {
    await using f = await tasksGrid(1);
    using stderr = stderrLines();
    void f.grid.call(f.id, 'slow', ['cut short', 5_000]);
    void f.grid.broadcast(f.id, 'slow', 'cut short too', 5_000);
    await f.grid.terminate();
    await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setImmediate(resolve));
    expect(stderr.lines.join('')).not.toContain('unobserved failure');
  });
});

describe('grid.call timeouts', () => {
  it('limits the whole call with timeout: TimeoutError, and the server stays held until the call ends', async () => {
    await using f = await tasksGrid(1);
    await expect(f.grid.call(f.id, 'slow', ['long', 1500], { timeout: 100 })).rejects.toMatchObject({
      name: 'TimeoutError',
      timeoutMs: 100,
      message: expect.stringContaining('timeout calling "Tasks.1.slow" after 100 ms'),
    });
    await expect(f.grid.acquireService(f.id, { timeout: 50 })).rejects.toMatchObject({ name: 'TimeoutError' });
    const proxy = await f.grid.acquireService<Tasks>(f.id);
    expect((await proxy.state()).log).toEqual(['long']);
  });

  it('counts the wait for a server in timeout, and limits the wait alone with acquireTimeout; neither call runs', async () => {
    await using f = await tasksGrid(1);
    const holder = await f.grid.acquireService<Tasks>(f.id);
    await expect(f.grid.call(f.id, 'note', ['waited'], { timeout: 50 })).rejects.toMatchObject({ name: 'TimeoutError', message: expect.stringContaining('timeout calling "Tasks.1.note"') });
    await expect(f.grid.call(f.id, 'note', ['waited'], { acquireTimeout: 50 })).rejects.toMatchObject({ name: 'TimeoutError', message: expect.stringContaining('timeout acquiring service "Tasks.1"') });
    expect((await holder.state()).log).toEqual([]);
    f.grid.releaseService(holder);
    expect(await f.grid.call<number>(f.id, 'note', ['in time'], { timeout: 10_000, acquireTimeout: 10_000 })).toBeGreaterThan(0);
  });
});
