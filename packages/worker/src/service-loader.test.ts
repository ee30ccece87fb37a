import { describe, expect, it } from 'vitest';
import type { ServiceClass } from './callable-methods.js';
import { ServiceLoader, construct } from './service-loader.js';
import { WorkerFailure } from './worker-failure.js';

class Plain {
  static calls = 0;
  constructor() {
    Plain.calls++;
  }

  set guarded(value: unknown) {
    throw new Error(`setter ran with ${String(value)}`);
  }
}

describe('construct', () => {
  it('revives a "__proto__" state key as an own data property, leaving the prototype alone', () => {
    const state = JSON.parse('{"__proto__": {"polluted": "yes"}, "guarded": 7}') as Record<string, unknown>;
    expect(Object.hasOwn(state, '__proto__')).toBe(true);
    const before = Plain.calls;
    const instance = construct(Plain as ServiceClass, { kind: 'revive', state }) as Record<string, unknown>;
    expect(Plain.calls).toBe(before);
    expect(Object.getPrototypeOf(instance)).toBe(Plain.prototype);
    expect(Object.getOwnPropertyDescriptor(instance, '__proto__')).toEqual({
      value: { polluted: 'yes' },
      writable: true,
      enumerable: true,
      configurable: true,
    });
    expect(instance['guarded']).toBe(7);
    expect(instance['polluted']).toBeUndefined();
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });

  it('calls the constructor with the arguments for kind "new"', () => {
    const instance = construct(Array as unknown as ServiceClass, { kind: 'new', args: [1, 2] });
    expect(instance).toEqual([1, 2]);
  });
});

describe('ServiceLoader', () => {
  it('imports each module URL once', async () => {
    const imported: string[] = [];
    const loader = new ServiceLoader(async (url) => {
      imported.push(url);
      return { Plain };
    });
    await loader.load('file:///x.mjs', 'Plain');
    await loader.load('file:///x.mjs', 'Plain');
    expect(imported).toEqual(['file:///x.mjs']);
  });

  it('tries again after a failed import', async () => {
    let attempts = 0;
    const loader = new ServiceLoader(async () => {
      if (++attempts === 1) throw new Error('not staged yet');
      return { Plain };
    });
    await expect(loader.load('file:///x.mjs', 'Plain')).rejects.toThrow(WorkerFailure);
    await expect(loader.load('file:///x.mjs', 'Plain')).resolves.toBe(Plain);
  });
});
