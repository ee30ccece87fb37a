import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { SERVICES, SessionHarness } from './fixtures/session-harness.js';

const BROKEN = new URL('./fixtures/broken.mjs', import.meta.url).href;

describe('worker session: create', () => {
  it('creates an instance with new and its constructor arguments', async () => {
    await using w = new SessionHarness();
    expect(await w.create('Counter.1', 'Counter', { kind: 'new', args: [41] })).toMatchObject({ type: 'created' });
    expect(await w.value('Counter.1', 'increment')).toBe(42);
  });

  it('lists only prototype methods: no constructor, getters, symbols, statics, fields or Object.prototype names', async () => {
    await using w = new SessionHarness();
    const created = await w.create('Counter.1', 'Counter');
    expect(created).toEqual({ type: 'created', id: expect.any(Number), methods: ['increment'] });
    for (const name of ['constructor', 'toString', 'valueOf', 'hasOwnProperty', '__proto__', '__defineGetter__', 'doubled', 'shout', 'make']) {
      const answer = await w.call('Counter.1', name);
      expect(answer, name).toMatchObject({ type: 'failure', kind: 'method' });
    }
  });

  it('walks the prototype chain, the most derived method winning', async () => {
    await using w = new SessionHarness();
    const created = await w.create('Derived.1', 'Derived');
    expect(created.type === 'created' && [...created.methods].sort()).toEqual(['base', 'own', 'shared']);
    expect(await w.value('Derived.1', 'shared')).toBe('derived');
    expect(await w.value('Derived.1', 'base')).toBe('base');
  });

  it('takes a default export by the name "default", and accepts an absolute path', async () => {
    await using w = new SessionHarness();
    const path = new URL(SERVICES).pathname;
    expect(pathToFileURL(path).href).toBe(SERVICES);
    expect(await w.create('Counter.1', 'default', { kind: 'new', args: [1] }, path)).toMatchObject({ type: 'created' });
    expect(await w.value('Counter.1', 'increment')).toBe(2);
  });

  it('revives an instance from state without running its constructor or setters', async () => {
    await using w = new SessionHarness();
    const answer = await w.create('Replica.1', 'Replica', { kind: 'revive', state: { temperature: 2.5, step: 3 } });
    expect(answer).toMatchObject({ type: 'created', methods: ['inspect'] });
    expect(await w.value('Replica.1', 'inspect')).toEqual({
      temperature: 2.5,
      prototypeIsReplica: true,
      ownProto: null,
      polluted: null,
      keys: ['temperature', 'step'],
    });
  });

  it('revives state sent with a "__proto__" key without replacing the prototype or polluting Object.prototype', async () => {
    await using w = new SessionHarness();
    const state = JSON.parse('{"__proto__": {"polluted": "yes"}, "temperature": 1}') as Record<string, unknown>;
    expect(await w.create('Replica.1', 'Replica', { kind: 'revive', state })).toMatchObject({ type: 'created' });
    // The codec itself renames the key (msgpackr decodes "__proto__" as "__proto_"); see service-loader.test.ts for the worker's own guard.
    expect(await w.value('Replica.1', 'inspect')).toMatchObject({ temperature: 1, prototypeIsReplica: true, polluted: null });
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });

  it('fails with kind "load" when the module cannot be imported', async () => {
    await using w = new SessionHarness();
    const missing = new URL('./fixtures/missing.mjs', import.meta.url).href;
    const answer = await w.create('X.1', 'X', undefined, missing);
    expect(answer).toMatchObject({ type: 'failure', kind: 'load', error: { name: 'LoadError' } });
    expect(answer.type === 'failure' && answer.error.message).toContain(`cannot import module "${missing}" (for export "X")`);
  });

  it('fails with kind "load", carrying the error as cause, when the module throws while it loads', async () => {
    await using w = new SessionHarness();
    const answer = await w.create('X.1', 'X', undefined, BROKEN);
    expect(answer).toMatchObject({ type: 'failure', kind: 'load', error: { cause: { name: 'Error', message: 'broken module' } } });
  });

  it('fails with kind "load" when the module is neither a URL nor an absolute path', async () => {
    await using w = new SessionHarness();
    const answer = await w.create('X.1', 'X', undefined, 'relative/services.mjs');
    expect(answer).toMatchObject({ type: 'failure', kind: 'load' });
    expect(answer.type === 'failure' && answer.error.message).toContain('the module must be a file URL or an absolute path');
  });

  it('fails with kind "load" naming module and export when the export is missing', async () => {
    await using w = new SessionHarness();
    for (const name of ['Nope', '__proto__', 'toString']) {
      const answer = await w.create('X.1', name);
      expect(answer, name).toMatchObject({ type: 'failure', kind: 'load' });
      expect(answer.type === 'failure' && answer.error.message).toContain(`module "${SERVICES}" has no export "${name}"`);
    }
  });

  it('fails with kind "load" when the export is not a class', async () => {
    await using w = new SessionHarness();
    for (const name of ['notAClass', 'number']) {
      const answer = await w.create('X.1', name);
      expect(answer, name).toMatchObject({ type: 'failure', kind: 'load' });
      expect(answer.type === 'failure' && answer.error.message).toContain(`export "${name}" of module "${SERVICES}" is not a class`);
    }
  });

  it('fails with kind "call" when the constructor throws, and holds no service then', async () => {
    await using w = new SessionHarness();
    const answer = await w.create('Failing.1', 'Failing');
    expect(answer).toMatchObject({ type: 'failure', kind: 'call', error: { name: 'Error', message: 'constructor failed' } });
    expect(await w.call('Failing.1', 'never')).toMatchObject({ type: 'failure', kind: 'service' });
  });

  it('fails with kind "protocol" when the service id is already held, keeping the first instance', async () => {
    await using w = new SessionHarness();
    await w.create('Counter.1', 'Counter', { kind: 'new', args: [10] });
    const answer = await w.create('Counter.1', 'Counter');
    expect(answer).toMatchObject({ type: 'failure', kind: 'protocol' });
    expect(answer.type === 'failure' && answer.error.message).toContain('service "Counter.1" already exists on this worker');
    expect(await w.value('Counter.1', 'increment')).toBe(11);
  });

  it('queues calls sent right behind a create until the instance exists', async () => {
    await using w = new SessionHarness();
    const create = w.sendCreate('Counter.1', 'Counter', { kind: 'new', args: [0] });
    const calls = [w.sendCall('Counter.1', 'increment'), w.sendCall('Counter.1', 'increment')];
    expect(await w.answer(calls[1]!)).toMatchObject({ type: 'result', value: 2 });
    expect(w.answerOrder()).toEqual([create, ...calls]);
  });

  it('fails the calls queued behind a create that fails, after the create', async () => {
    await using w = new SessionHarness();
    const create = w.sendCreate('X.1', 'Nope');
    const call = w.sendCall('X.1', 'anything');
    expect(await w.answer(call)).toMatchObject({ type: 'failure', kind: 'service' });
    expect(await w.answer(create)).toMatchObject({ type: 'failure', kind: 'load' });
    expect(w.answerOrder()).toEqual([create, call]);
  });
});
