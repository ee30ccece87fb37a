import { Packr } from 'msgpackr';
import { InvalidMessageError } from './validate.js';

/** A value in a message cannot be encoded (a function, a symbol, …). Nothing was sent. */
export class UnsendableValueError extends TypeError {
  override readonly name = 'UnsendableValueError';
}

function refuseFunction(): never {
  throw new UnsendableValueError('a function cannot be sent to another process');
}

/**
 * The codec's options, chosen by measurement (see the package README): MessagePack with
 * msgpackr's record extension, which keeps `Map` apart from plain objects, and its
 * extra types (`Set`, `Date`, `BigInt`, typed arrays as raw bytes, `undefined`, `Error`).
 * Records are not sequential: every frame carries its own structures, so frames can be
 * decoded in any order, by any peer, on their own.
 */
const packr = new Packr({
  useRecords: true,
  moreTypes: true,
  mapsAsObjects: false,
  useBigIntExtension: true,
  writeFunction: refuseFunction,
});

/**
 * Encodes one message (or any value) into a self-contained frame body.
 *
 * @throws {@link UnsendableValueError} when the value holds a function, a symbol or
 *   anything else the codec cannot carry; nothing is sent then
 */
export function encode(value: unknown): Uint8Array {
  try {
    return packr.pack(value);
  } catch (error) {
    if (error instanceof UnsendableValueError) throw error;
    throw new UnsendableValueError(`value cannot be sent: ${(error as Error).message}`, { cause: error });
  }
}

/**
 * Decodes one frame body. Only data is made: no constructor named by the bytes is ever
 * called, and no key reaches a prototype (msgpackr renames a `__proto__` key to `__proto_`).
 *
 * @throws {@link InvalidMessageError} when the bytes are not one well-formed value
 */
export function decode(frame: Uint8Array): unknown {
  try {
    return packr.unpack(frame);
  } catch (error) {
    throw new InvalidMessageError(`undecodable frame of ${frame.byteLength} bytes: ${(error as Error).message}`);
  }
}

/** Whether {@link encode} would accept the value. Encodes it once to find out. */
export function isSendable(value: unknown): boolean {
  try {
    packr.pack(value);
    return true;
  } catch {
    return false;
  }
}
