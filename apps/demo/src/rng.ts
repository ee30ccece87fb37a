/**
 * The four 32-bit words of an {@link Rng}'s state, as plain unsigned integers. Any copy of
 * them (sent over the wire, written to JSON) continues the same stream.
 */
export type RngState = readonly [number, number, number, number];

const TWO_POW_32 = 4294967296;

/** Murmur3's 32-bit finaliser: a bijective mix of one word. */
function fmix32(value: number): number {
  let h = value >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

function rotl(value: number, bits: number): number {
  return ((value << bits) | (value >>> (32 - bits))) >>> 0;
}

/**
 * Checks that a seed is an integer from 0 to 2³² − 1.
 *
 * @throws RangeError naming the value otherwise
 */
export function checkSeed(seed: number): number {
  if (!Number.isInteger(seed) || seed < 0 || seed >= TWO_POW_32) {
    throw new RangeError(`seed must be an integer from 0 to ${TWO_POW_32 - 1}, got ${String(seed)}`);
  }
  return seed;
}

/**
 * Derives an independent seed for one stream (one replica, the exchange controller, …)
 * from a master seed, so that every random stream of a run follows from one number.
 *
 * @param seed - the master seed, an integer from 0 to 2³² − 1
 * @param stream - a non-negative integer naming the stream
 * @returns a seed from 0 to 2³² − 1
 * @throws RangeError when `seed` or `stream` is out of range
 */
export function deriveSeed(seed: number, stream: number): number {
  checkSeed(seed);
  if (!Number.isInteger(stream) || stream < 0 || stream >= TWO_POW_32) {
    throw new RangeError(`stream must be an integer from 0 to ${TWO_POW_32 - 1}, got ${String(stream)}`);
  }
  return fmix32(fmix32(seed) + Math.imul(stream + 1, 0x9e3779b9));
}

/**
 * A small, fast, seeded pseudo-random number generator: xoshiro128** (Blackman and
 * Vigna), its 128-bit state filled from the seed by splitmix32.
 *
 * The state is four plain numbers held as own enumerable properties, so an instance
 * revived from its enumerable state (`Object.assign(Object.create(Rng.prototype), copy)`,
 * as a Hostgrid worker revives a published object) continues the very same stream.
 * Not for cryptography.
 *
 * @example
 * ```ts
 * const rng = new Rng(42);
 * const u = rng.next();        // a float in [0, 1)
 * const saved = rng.state();   // plain numbers
 * Rng.fromState(saved).next() === rng.next(); // true
 * ```
 */
export class Rng {
  /** First state word (unsigned 32-bit). */
  s0: number;
  /** Second state word (unsigned 32-bit). */
  s1: number;
  /** Third state word (unsigned 32-bit). */
  s2: number;
  /** Fourth state word (unsigned 32-bit). */
  s3: number;

  /**
   * Seeds a generator.
   *
   * @param seed - an integer from 0 to 2³² − 1
   * @throws RangeError when the seed is out of range
   */
  constructor(seed: number) {
    let sm = checkSeed(seed);
    const words: number[] = [];
    for (let i = 0; i < 4; i++) {
      // splitmix32: a Weyl sequence passed through a mixer
      sm = (sm + 0x9e3779b9) >>> 0;
      words.push(fmix32(sm));
    }
    const [a = 0, b = 0, c = 0, d = 0] = words;
    // xoshiro must not start from the all-zero state, which it never leaves
    this.s0 = a === 0 && b === 0 && c === 0 && d === 0 ? 1 : a;
    this.s1 = b;
    this.s2 = c;
    this.s3 = d;
  }

  /**
   * Makes a generator that continues from a saved state.
   *
   * @throws RangeError when the state is not four unsigned 32-bit integers, not all zero
   */
  static fromState(state: RngState): Rng {
    if (state.length !== 4 || !state.every((w) => Number.isInteger(w) && w >= 0 && w < TWO_POW_32)) {
      throw new RangeError('an Rng state must be four unsigned 32-bit integers');
    }
    if (state.every((w) => w === 0)) throw new RangeError('an Rng state must not be all zero');
    const rng = Object.create(Rng.prototype) as Rng;
    [rng.s0, rng.s1, rng.s2, rng.s3] = state;
    return rng;
  }

  /** A copy of the current state; {@link Rng.fromState} continues from it. */
  state(): RngState {
    return [this.s0, this.s1, this.s2, this.s3];
  }

  /** The next unsigned 32-bit integer of the stream. */
  nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5) >>> 0, 7), 9) >>> 0;
    const t = (this.s1 << 9) >>> 0;
    this.s2 = (this.s2 ^ this.s0) >>> 0;
    this.s3 = (this.s3 ^ this.s1) >>> 0;
    this.s1 = (this.s1 ^ this.s2) >>> 0;
    this.s0 = (this.s0 ^ this.s3) >>> 0;
    this.s2 = (this.s2 ^ t) >>> 0;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  /** The next float of the stream, uniform in [0, 1), with 32 random bits. */
  next(): number {
    return this.nextUint32() / TWO_POW_32;
  }
}
