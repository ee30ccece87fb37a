import { describe, expect, it } from 'vitest';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { Result, settle, watch } from './result.js';

function settledResult<T>(ok: boolean, value: unknown): Result<T> {
  const result = new Result<T>({});
  result[settle](ok, value);
  return result;
}

describe('Result', () => {
  it('is awaitable and gives the value once settled', async () => {
    const result = new Result<number>({ service: 'S.1', method: 'f' });
    expect(result.settled).toBe(false);
    setTimeout(() => result[settle](true, 42), 1);
    expect(await result).toBe(42);
    expect(result.settled).toBe(true);
    expect(await result.get(1)).toBe(42);
  });

  it('rejects get(timeout) with a TimeoutError naming the call, and still settles later', async () => {
    const result = new Result<number>({ service: 'S.1', method: 'step', host: 'h2' });
    await expect(result.get(5)).rejects.toMatchObject({
      name: 'TimeoutError',
      timeoutMs: 5,
      message: '[hostgrid] timeout calling "S.1.step" on host "h2" after 5 ms',
    });
    result[settle](true, 7);
    expect(await result).toBe(7);
  });

  it('settles only once', async () => {
    const result = settledResult<number>(true, 1);
    result[settle](false, new Error('late'));
    expect(await result).toBe(1);
  });

  it('does not raise an unhandled rejection for a failed result nobody awaits', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown): void => void unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      settledResult(false, new Error('ignored'));
      await new Promise((resolve) => setTimeout(resolve, 10));
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });

  it('refuses a negative timeout', async () => {
    await expect(new Result({}).get(-1)).rejects.toThrow(RangeError);
  });

  it('still reports a failure as unobserved after a get() that was refused for its timeout', async () => {
    const reported: unknown[] = [];
    const result = new Result<number>({ service: 'S.1', method: 'f' });
    result[watch]((error) => void reported.push(error));
    await expect(result.get(-1)).rejects.toThrow(RangeError);
    result[settle](false, 'failed later');
    await nextTurn();
    await nextTurn();
    expect(reported).toEqual(['failed later']);
  });

  it('tells its reporter, once the turn is over, of a failure nobody handled, and of no other', async () => {
    const reported: unknown[] = [];
    const reporter = (error: unknown): void => void reported.push(error);
    const watched = (): Result<number> => {
      const result = new Result<number>({ service: 'S.1', method: 'f' });
      result[watch](reporter);
      return result;
    };
    const unhandled = watched();
    unhandled[settle](false, 'nobody looked');
    const handledLater = watched();
    handledLater[settle](false, 'caught in the same turn');
    const caught = handledLater.catch((error: unknown) => error);
    const awaitedFirst = watched();
    const awaiting = awaitedFirst.get().catch((error: unknown) => error);
    awaitedFirst[settle](false, 'awaited');
    watched()[settle](true, 1);
    // Already failed when watched: the check starts then.
    settledResult(false, 'failed before watch')[watch](reporter);
    await nextTurn();
    await nextTurn();
    expect(reported).toEqual(['nobody looked', 'failed before watch']);
    expect(await caught).toBe('caught in the same turn');
    expect(await awaiting).toBe('awaited');
  });
});
