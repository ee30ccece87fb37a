import type { ControllerMessage, WorkerMessage } from './messages.js';
import type { WireError } from './wire-error.js';
import { type Obj, fail, isObject } from './fields.js';

/** A decoded value is not a well-formed message. Carries what was wrong, never the value. */
export class InvalidMessageError extends Error {
  override readonly name = 'InvalidMessageError';
}

const FAILURE_KINDS = new Set(['load', 'call', 'method', 'service', 'encode', 'protocol', 'cancelled']);

function id(m: Obj): void {
  if (!Number.isSafeInteger(m['id'])) fail(String(m['type']), '"id" must be an integer');
}

function str(m: Obj, key: string): void {
  if (typeof m[key] !== 'string') fail(String(m['type']), `"${key}" must be a string`);
}

function int(m: Obj, key: string): void {
  const v = m[key];
  if (!Number.isSafeInteger(v) || (v as number) < 0) fail(String(m['type']), `"${key}" must be a non-negative integer`);
}

function positive(m: Obj, key: string): void {
  const v = m[key];
  if (!Number.isSafeInteger(v) || (v as number) < 1) fail(String(m['type']), `"${key}" must be a positive integer`);
}

function wireError(m: Obj, value: unknown, depth = 0): asserts value is WireError {
  if (!isObject(value) || typeof value['name'] !== 'string' || typeof value['message'] !== 'string') {
    fail(String(m['type']), '"error" must be { name, message }');
  }
  if (value['stack'] !== undefined && typeof value['stack'] !== 'string') fail(String(m['type']), '"error.stack" must be a string');
  if (value['data'] !== undefined && !isObject(value['data'])) fail(String(m['type']), '"error.data" must be an object');
  if (value['cause'] !== undefined) {
    if (depth >= 8) fail(String(m['type']), '"error.cause" is nested too deeply');
    wireError(m, value['cause'], depth + 1);
  }
}

/**
 * Checks that a decoded value is a message the controller may send, and returns it typed.
 *
 * @throws {@link InvalidMessageError} naming the first thing that is wrong
 */
export function parseControllerMessage(value: unknown): ControllerMessage {
  if (!isObject(value)) throw new InvalidMessageError('a message must be an object');
  const m = value;
  switch (m['type']) {
    case 'call':
      id(m);
      str(m, 'service');
      str(m, 'method');
      if (!Array.isArray(m['args'])) fail('call', '"args" must be an array');
      break;
    case 'ping':
    case 'shutdown':
      break;
    case 'hello':
      int(m, 'version');
      str(m, 'host');
      int(m, 'slot');
      int(m, 'heartbeatMs');
      int(m, 'watchdogMs');
      positive(m, 'maxFrameBytes');
      break;
    case 'create': {
      id(m);
      str(m, 'service');
      str(m, 'module');
      str(m, 'exportName');
      const c = m['construction'];
      if (!isObject(c)) fail('create', '"construction" must be an object');
      if (c['kind'] === 'new') {
        if (!Array.isArray(c['args'])) fail('create', '"construction.args" must be an array');
      } else if (c['kind'] === 'revive') {
        if (!isObject(c['state'])) fail('create', '"construction.state" must be an object');
      } else {
        fail('create', '"construction.kind" must be "new" or "revive"');
      }
      break;
    }
    case 'destroy':
    case 'cancel':
      id(m);
      str(m, 'service');
      break;
    default:
      throw new InvalidMessageError(`unknown controller message type ${JSON.stringify(String(m['type']))}`);
  }
  return m as unknown as ControllerMessage;
}

/**
 * Checks that a decoded value is a message a worker may send, and returns it typed.
 *
 * @throws {@link InvalidMessageError} naming the first thing that is wrong
 */
export function parseWorkerMessage(value: unknown): WorkerMessage {
  if (!isObject(value)) throw new InvalidMessageError('a message must be an object');
  const m = value;
  switch (m['type']) {
    case 'result':
      id(m);
      if (!('value' in m)) fail('result', '"value" is missing');
      break;
    case 'failure':
      id(m);
      if (typeof m['kind'] !== 'string' || !FAILURE_KINDS.has(m['kind'])) fail('failure', '"kind" is not a known failure kind');
      wireError(m, m['error']);
      break;
    case 'ping':
      break;
    case 'ready':
      int(m, 'version');
      int(m, 'pid');
      str(m, 'node');
      str(m, 'hostname');
      positive(m, 'maxFrameBytes');
      break;
    case 'created':
      id(m);
      if (!Array.isArray(m['methods']) || !m['methods'].every((x) => typeof x === 'string')) {
        fail('created', '"methods" must be an array of strings');
      }
      break;
    case 'done':
      id(m);
      break;
    default:
      throw new InvalidMessageError(`unknown worker message type ${JSON.stringify(String(m['type']))}`);
  }
  return m as unknown as WorkerMessage;
}
