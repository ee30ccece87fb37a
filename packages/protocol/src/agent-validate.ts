import type { AgentReport, AgentRequest, ChallengeMessage, JoinMessage, WelcomeMessage } from './agent-messages.js';
import { type Obj, fail, isObject } from './fields.js';
import { InvalidMessageError } from './validate.js';

/** Longest host name, ticket, path or prefix accepted on the agent channel. */
const MAX_TEXT = 4096;

function object(value: unknown): Obj {
  if (!isObject(value)) throw new InvalidMessageError('a message must be an object');
  return value;
}

function refuse(m: Obj, what: string): never {
  fail(String(m['type']), what);
}

function int(m: Obj, key: string, max = Number.MAX_SAFE_INTEGER): void {
  const v = m[key];
  if (!Number.isSafeInteger(v) || (v as number) < 0 || (v as number) > max) refuse(m, `"${key}" must be an integer from 0 to ${max}`);
}

function text(m: Obj, key: string, { empty = true, max = MAX_TEXT } = {}): void {
  const v = m[key];
  if (typeof v !== 'string' || v.length > max || (!empty && v === '')) refuse(m, `"${key}" must be a ${empty ? '' : 'non-empty '}string of at most ${max} characters`);
}

function bytes(m: Obj, key: string, length?: number): void {
  const v = m[key];
  if (!(v instanceof Uint8Array) || (length !== undefined && v.byteLength !== length)) refuse(m, `"${key}" must be ${length === undefined ? 'bytes' : `${length} bytes`}`);
}

function nullableInt(m: Obj, key: string): void {
  const v = m[key];
  if (v !== null && !Number.isSafeInteger(v)) refuse(m, `"${key}" must be an integer or null`);
}

/**
 * Checks the controller's `challenge`.
 *
 * @throws {@link InvalidMessageError} naming what is wrong
 */
export function parseChallenge(value: unknown): ChallengeMessage {
  const m = object(value);
  if (m['type'] !== 'challenge') throw new InvalidMessageError(`expected a "challenge" message, got ${JSON.stringify(String(m['type']))}`);
  int(m, 'version');
  bytes(m, 'nonce', 32);
  return m as unknown as ChallengeMessage;
}

/**
 * Checks a peer's `join` (its proof is checked by `verifyJoinProof`).
 *
 * @throws {@link InvalidMessageError} naming what is wrong
 */
export function parseJoin(value: unknown): JoinMessage {
  const m = object(value);
  if (m['type'] !== 'join') throw new InvalidMessageError(`expected a "join" message, got ${JSON.stringify(String(m['type']))}`);
  int(m, 'version');
  if (m['role'] !== 'host' && m['role'] !== 'slot') refuse(m, '"role" must be "host" or "slot"');
  text(m, 'host', { empty: false, max: 255 });
  int(m, 'slot', 65_535);
  int(m, 'slots', 65_535);
  text(m, 'ticket', { max: 128 });
  bytes(m, 'proof', 32);
  int(m, 'pid');
  text(m, 'hostname', { max: 255 });
  text(m, 'node', { max: 64 });
  if (m['role'] === 'host' && (m['slots'] as number) < 1) refuse(m, 'a host must offer at least 1 slot');
  if (m['role'] === 'slot' && m['ticket'] === '') refuse(m, 'a slot must present its ticket');
  return m as unknown as JoinMessage;
}

/**
 * Checks the controller's `welcome`.
 *
 * @throws {@link InvalidMessageError} naming what is wrong
 */
export function parseWelcome(value: unknown): WelcomeMessage {
  const m = object(value);
  if (m['type'] !== 'welcome') throw new InvalidMessageError(`expected a "welcome" message, got ${JSON.stringify(String(m['type']))}`);
  int(m, 'heartbeatMs');
  int(m, 'misses');
  int(m, 'maxFrameBytes');
  if ((m['maxFrameBytes'] as number) < 1) refuse(m, '"maxFrameBytes" must be positive');
  return m as unknown as WelcomeMessage;
}

/**
 * Checks a message the controller sends a host agent after `welcome`.
 *
 * @throws {@link InvalidMessageError} naming what is wrong
 */
export function parseAgentRequest(value: unknown): AgentRequest {
  const m = object(value);
  switch (m['type']) {
    case 'start': {
      int(m, 'id');
      int(m, 'slot', 65_535);
      text(m, 'ticket', { empty: false, max: 128 });
      text(m, 'workerEntry', { empty: false });
      text(m, 'tempPath', { empty: false });
      text(m, 'node');
      int(m, 'niceness', 19);
      text(m, 'initCmd', { max: 65_536 });
      const env = m['env'];
      if (typeof env !== 'object' || env === null || Array.isArray(env) || !Object.entries(env).every(([k, v]) => /^[A-Za-z_][A-Za-z0-9_]*$/.test(k) && typeof v === 'string')) {
        refuse(m, '"env" must map variable names to strings');
      }
      break;
    }
    case 'kill':
      int(m, 'slot', 65_535);
      int(m, 'pid');
      break;
    case 'link':
      int(m, 'heartbeatMs');
      int(m, 'misses');
      break;
    case 'fs-mktemp':
      int(m, 'id');
      text(m, 'prefix', { max: 64 });
      break;
    case 'fs-mkdir':
    case 'fs-read':
    case 'fs-remove':
      int(m, 'id');
      text(m, 'path', { empty: false });
      break;
    case 'fs-open':
      int(m, 'id');
      text(m, 'path', { empty: false });
      int(m, 'mode', 0o7777);
      break;
    case 'fs-write':
      int(m, 'id');
      int(m, 'handle');
      bytes(m, 'data');
      break;
    case 'fs-commit':
      int(m, 'id');
      int(m, 'handle');
      int(m, 'size');
      if (typeof m['sha256'] !== 'string' || !/^[0-9a-f]{64}$/.test(m['sha256'])) refuse(m, '"sha256" must be 64 hex digits');
      break;
    case 'fs-abort':
      int(m, 'id');
      int(m, 'handle');
      break;
    default:
      throw new InvalidMessageError(`unknown agent request type ${JSON.stringify(String(m['type']))}`);
  }
  return m as unknown as AgentRequest;
}

/**
 * Checks a message a host agent sends the controller after `join`.
 *
 * @throws {@link InvalidMessageError} naming what is wrong
 */
export function parseAgentReport(value: unknown): AgentReport {
  const m = object(value);
  switch (m['type']) {
    case 'reply': {
      int(m, 'id');
      const error = m['error'];
      if (error !== undefined) {
        const e = object(error);
        if (typeof e['name'] !== 'string' || typeof e['message'] !== 'string') refuse(m, '"error" must be { name, message }');
      }
      break;
    }
    case 'output':
      int(m, 'slot', 65_535);
      if (m['stream'] !== 'stdout' && m['stream'] !== 'stderr') refuse(m, '"stream" must be "stdout" or "stderr"');
      if (typeof m['text'] !== 'string') refuse(m, '"text" must be a string');
      break;
    case 'exited':
      int(m, 'slot', 65_535);
      int(m, 'pid');
      nullableInt(m, 'code');
      if (m['signal'] !== null && typeof m['signal'] !== 'string') refuse(m, '"signal" must be a string or null');
      break;
    default:
      throw new InvalidMessageError(`unknown agent report type ${JSON.stringify(String(m['type']))}`);
  }
  return m as unknown as AgentReport;
}
