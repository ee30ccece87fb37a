import { describe, expect, it } from 'vitest';
import { InvalidMessageError, parseControllerMessage, parseWorkerMessage } from './validate.js';

describe('message validation', () => {
  it('accepts well-formed messages of each direction', () => {
    expect(parseControllerMessage({ type: 'call', id: 1, service: 'A.1', method: 'f', args: [] }).type).toBe('call');
    expect(parseControllerMessage({ type: 'hello', version: 1, host: 'h', slot: 0, heartbeatMs: 1000, watchdogMs: 0, maxFrameBytes: 1024 }).type).toBe('hello');
    expect(
      parseControllerMessage({ type: 'create', id: 2, service: 'A.1', module: 'file:///a.js', exportName: 'A', construction: { kind: 'revive', state: {} } }).type,
    ).toBe('create');
    expect(parseControllerMessage({ type: 'cancel', id: 3, service: 'A.1' }).type).toBe('cancel');
    expect(parseWorkerMessage({ type: 'failure', id: 3, kind: 'cancelled', error: { name: 'CancelledError', message: 'm' } }).type).toBe('failure');
    expect(parseWorkerMessage({ type: 'result', id: 1, value: undefined }).type).toBe('result');
    expect(parseWorkerMessage({ type: 'ready', version: 4, pid: 1, node: 'v22', hostname: 'h', maxFrameBytes: 1024 }).type).toBe('ready');
    expect(parseWorkerMessage({ type: 'failure', id: 1, kind: 'call', error: { name: 'E', message: 'm', cause: { name: 'C', message: 'c' } } }).type).toBe(
      'failure',
    );
  });

  it.each([
    [null, /object/],
    [[], /object/],
    [{ type: 'nope' }, /unknown controller message type/],
    [{ type: 'call', id: '1', service: 's', method: 'm', args: [] }, /"id"/],
    [{ type: 'call', id: 1, service: 's', method: 'm', args: {} }, /"args"/],
    [{ type: 'create', id: 1, service: 's', module: 'm', exportName: 'e', construction: { kind: 'eval' } }, /construction.kind/],
    [{ type: 'hello', version: -1, host: 'h', slot: 0, heartbeatMs: 1, watchdogMs: 1, maxFrameBytes: 1 }, /"version"/],
    [{ type: 'hello', version: 4, host: 'h', slot: 0, heartbeatMs: 1, watchdogMs: 1, maxFrameBytes: 0 }, /"maxFrameBytes"/],
    [{ type: 'cancel', id: 1 }, /"service"/],
  ])('refuses the malformed controller message %j', (value, message) => {
    expect(() => parseControllerMessage(value)).toThrow(InvalidMessageError);
    expect(() => parseControllerMessage(value)).toThrow(message);
  });

  it.each([
    [{ type: 'result', id: 1 }, /"value"/],
    [{ type: 'failure', id: 1, kind: 'explode', error: { name: 'E', message: 'm' } }, /kind/],
    [{ type: 'failure', id: 1, kind: 'call', error: { name: 1 } }, /"error"/],
    [{ type: 'created', id: 1, methods: [1] }, /"methods"/],
    [{ type: 'ready', version: 4, pid: 1, node: 'v22', hostname: 'h' }, /"maxFrameBytes"/],
    [{ type: 'call', id: 1, service: 's', method: 'm', args: [] }, /unknown worker message type/],
  ])('refuses the malformed worker message %j', (value, message) => {
    expect(() => parseWorkerMessage(value)).toThrow(message);
  });
});
