import { describe, expect, it } from 'vitest';
import { SessionHarness } from './fixtures/session-harness.js';

describe('worker session: call', () => {
  it('runs async calls to one service strictly one after another, in arrival order', async () => {
    await using w = new SessionHarness();
    await w.create('Recorder.1', 'Recorder');
    const ids = [
      w.sendCall('Recorder.1', 'step', 'a'),
      w.sendCall('Recorder.1', 'syncStep', 'b'),
      w.sendCall('Recorder.1', 'thenableStep', 'c'),
      w.sendCall('Recorder.1', 'step', 'd'),
      w.sendCall('Recorder.1', 'syncStep', 'e'),
    ];
    expect(await w.value('Recorder.1', 'log')).toEqual(['a', 'b', 'c', 'd', 'e'].flatMap((n) => [`start ${n}`, `end ${n}`]));
    expect(w.answerOrder().slice(-6, -1)).toEqual(ids);
    for (const [i, id] of ids.entries()) {
      expect(await w.answer(id)).toEqual({ type: 'result', id, value: 'abcde'[i] });
    }
  });

  it('answers a sync call in the same turn it arrives', async () => {
    await using w = new SessionHarness();
    await w.create('Counter.1', 'Counter');
    const id = w.sendCall('Counter.1', 'increment', 5);
    expect(w.answered(id)).toBe(true);
    expect(await w.answer(id)).toEqual({ type: 'result', id, value: 5 });
  });

  it('holds the calls to a service while one of its calls is pending', async () => {
    await using w = new SessionHarness();
    await w.create('Gate.a', 'Gate');
    await w.create('Gate.b', 'Gate');
    const waiting = w.sendCall('Gate.a', 'wait', 'held');
    const behind = w.sendCall('Gate.a', 'now');
    // Gate.b is independent: it answers while Gate.a is still waiting.
    expect(await w.value('Gate.b', 'now')).toBe('now');
    expect(w.answered(waiting)).toBe(false);
    expect(w.answered(behind)).toBe(false);
    expect(await w.value('Gate.b', 'open', 'held')).toBe('opened held');
    expect(await w.answer(behind)).toMatchObject({ type: 'result', value: 'now' });
    expect(await w.answer(waiting)).toMatchObject({ type: 'result', value: 'passed held' });
    expect(w.answerOrder().indexOf(waiting)).toBeLessThan(w.answerOrder().indexOf(behind));
  });

  it('drops a queued call on cancel with kind "cancelled", and leaves a started one to finish', async () => {
    await using w = new SessionHarness();
    await w.create('Gate.a', 'Gate');
    const running = w.sendCall('Gate.a', 'wait', 'held');
    const queued = w.sendCall('Gate.a', 'now');
    const after = w.sendCall('Gate.a', 'now');
    w.send({ type: 'cancel', id: queued, service: 'Gate.a' });
    w.send({ type: 'cancel', id: running, service: 'Gate.a' });
    expect(await w.answer(queued)).toMatchObject({ type: 'failure', kind: 'cancelled', error: { name: 'CancelledError' } });
    await w.create('Gate.b', 'Gate');
    expect(await w.value('Gate.b', 'open', 'held')).toBe('opened held');
    expect(await w.answer(running)).toMatchObject({ type: 'result', value: 'passed held' });
    expect(await w.answer(after)).toMatchObject({ type: 'result', value: 'now' });
  });

  it('fails with kind "service" for a service the worker does not hold', async () => {
    await using w = new SessionHarness();
    const answer = await w.call('Nobody.1', 'f');
    expect(answer).toMatchObject({ type: 'failure', kind: 'service', error: { name: 'ServiceNotFoundError', message: 'no service "Nobody.1" on this worker' } });
  });

  it('fails with kind "method" naming the method, the service and the callable methods', async () => {
    await using w = new SessionHarness();
    await w.create('Derived.1', 'Derived');
    const answer = await w.call('Derived.1', 'hasOwnProperty', 'x');
    expect(answer).toMatchObject({ type: 'failure', kind: 'method', error: { name: 'MethodNotFoundError' } });
    expect(answer.type === 'failure' && answer.error.message).toBe(
      'no method "hasOwnProperty" on service "Derived.1" (callable methods: shared, own, base)',
    );
  });

  it('fails with kind "call" when the method throws, keeping sendable error data only', async () => {
    await using w = new SessionHarness();
    await w.create('Faulty.1', 'Faulty');
    const answer = await w.call('Faulty.1', 'throws');
    expect(answer).toMatchObject({
      type: 'failure',
      kind: 'call',
      error: { name: 'RangeError', message: 'out of range', data: { code: 'E_RANGE' }, stack: expect.stringContaining('services.mjs') },
    });
    expect(answer.type === 'failure' && answer.error.data).not.toHaveProperty('callback');
  });

  it('fails with kind "call" when the method rejects, with its cause', async () => {
    await using w = new SessionHarness();
    await w.create('Faulty.1', 'Faulty');
    expect(await w.call('Faulty.1', 'rejects')).toMatchObject({
      type: 'failure',
      kind: 'call',
      error: { name: 'TypeError', message: 'rejected', cause: { message: 'underneath' } },
    });
    expect(await w.call('Faulty.1', 'throwsString')).toMatchObject({
      type: 'failure',
      kind: 'call',
      error: { name: 'NonErrorThrown', message: 'a string' },
    });
  });

  it('fails with kind "encode" when the return value cannot be sent, and keeps serving', async () => {
    await using w = new SessionHarness();
    await w.create('Faulty.1', 'Faulty');
    const answer = await w.call('Faulty.1', 'unsendable');
    expect(answer).toMatchObject({ type: 'failure', kind: 'encode', error: { name: 'UnsendableValueError' } });
    expect(answer.type === 'failure' && answer.error.message).toMatch(/^return value of "Faulty\.unsendable" cannot be sent: /);
    expect(await w.value('Faulty.1', 'spin', 0)).toBe(0);
  });

  it('answers a malformed request that has an id with kind "protocol", and keeps serving', async () => {
    await using w = new SessionHarness();
    await w.create('Counter.1', 'Counter');
    const id = w.id();
    w.send({ type: 'call', id, service: 'Counter.1', method: 'increment', args: 'not an array' });
    expect(await w.answer(id)).toMatchObject({ type: 'failure', kind: 'protocol', error: { name: 'ProtocolError' } });
    const unknown = w.id();
    w.send({ type: 'teleport', id: unknown });
    expect(await w.answer(unknown)).toMatchObject({ type: 'failure', kind: 'protocol' });
    expect(await w.value('Counter.1', 'increment')).toBe(1);
  });
});

describe('worker session: destroy', () => {
  it('drops the instance and answers done', async () => {
    await using w = new SessionHarness();
    await w.create('Counter.1', 'Counter');
    const id = w.id();
    w.send({ type: 'destroy', id, service: 'Counter.1' });
    expect(await w.answer(id)).toEqual({ type: 'done', id });
    expect(await w.call('Counter.1', 'increment')).toMatchObject({ type: 'failure', kind: 'service' });
    expect(await w.create('Counter.1', 'Counter', { kind: 'new', args: [100] })).toMatchObject({ type: 'created' });
    expect(await w.value('Counter.1', 'increment')).toBe(101);
  });

  it('fails the calls queued behind a running call with kind "service"; the running call still answers', async () => {
    await using w = new SessionHarness();
    await w.create('Gate.a', 'Gate');
    await w.create('Gate.b', 'Gate');
    const running = w.sendCall('Gate.a', 'wait', 'destroy');
    const queued = w.sendCall('Gate.a', 'now');
    const destroy = w.id();
    w.send({ type: 'destroy', id: destroy, service: 'Gate.a' });
    expect(await w.answer(queued)).toMatchObject({ type: 'failure', kind: 'service' });
    expect(await w.answer(destroy)).toEqual({ type: 'done', id: destroy });
    await w.value('Gate.b', 'open', 'destroy');
    expect(await w.answer(running)).toMatchObject({ type: 'result', value: 'passed destroy' });
  });

  it('answers done for a service it does not hold', async () => {
    await using w = new SessionHarness();
    const id = w.id();
    w.send({ type: 'destroy', id, service: 'Nobody.1' });
    expect(await w.answer(id)).toEqual({ type: 'done', id });
  });

  it('fails a create whose service is destroyed while its module loads', async () => {
    await using w = new SessionHarness();
    const create = w.sendCreate('Counter.9', 'Counter');
    const destroy = w.id();
    w.send({ type: 'destroy', id: destroy, service: 'Counter.9' });
    expect(await w.answer(create)).toMatchObject({ type: 'failure', kind: 'service' });
    expect(w.answerOrder()).toEqual([destroy, create]);
  });

  it('agrees on the smaller frame limit, and answers a result or an error over it with a short failure instead', async () => {
    await using w = new SessionHarness({ maxFrameBytes: 64 * 1024 });
    w.hello({ maxFrameBytes: 8192 });
    expect(w.sent[0]).toMatchObject({ type: 'ready', maxFrameBytes: 8192 });
    await w.create('Faulty.1', 'Faulty');
    expect(await w.call('Faulty.1', 'big', 20_000)).toMatchObject({
      type: 'failure',
      kind: 'encode',
      error: { message: expect.stringMatching(/return value of "Faulty\.big" cannot be sent: it encodes to \d+ bytes, over the channel's frame limit of 8192 bytes/) },
    });
    const thrown = await w.call('Faulty.1', 'throwsBig', 20_000);
    expect(thrown).toMatchObject({ type: 'failure', kind: 'call', error: { name: 'Error', message: expect.stringMatching(/^y{1024} \(error details could not be sent: .*over the channel's frame limit of 8192 bytes\)$/) } });
    expect(await w.value('Faulty.1', 'big', 100)).toBe('x'.repeat(100));
  });
});
