import { InvalidMessageError } from './validate.js';

/** A decoded message, before its fields are checked. */
export type Obj = Record<string, unknown>;

/** Whether a decoded value is a plain object (a message's shape). */
export function isObject(value: unknown): value is Obj {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Refuses a message of `type`, saying what is wrong with it. */
export function fail(type: string, what: string): never {
  throw new InvalidMessageError(`malformed "${type}" message: ${what}`);
}
