import { describe, expect, it } from 'vitest';
import { energy } from './ising.js';
import { Replica } from './replica.js';

/** What a Hostgrid worker does to a published object: own enumerable data onto the prototype. */
function revive(replica: Replica): Replica {
  return Object.assign(Object.create(Replica.prototype) as Replica, structuredClone({ ...replica }));
}

const setup = { index: 2, seed: 99, size: 8 } as const;

describe('Replica', () => {
  it('reports its index, energy and magnetisation from init and sample', () => {
    const replica = new Replica();
    const start = replica.init(setup);
    expect(start.replica).toBe(2);
    expect(start.energy).toBe(energy({ size: 8, spins: replica.spins }));
    const sample = replica.sample(2.2, 3);
    expect(sample.replica).toBe(2);
    expect(replica.sweeps).toBe(3);
    expect(Object.keys(sample).sort()).toEqual(['energy', 'magnetization', 'replica']);
  });

  it('gives the same samples for the same setup and calls', () => {
    const run = (): unknown[] => {
      const replica = new Replica();
      replica.init(setup);
      return [2.0, 2.5, 3.0, 2.5].map((t) => replica.sample(t, 4));
    };
    expect(run()).toEqual(run());
  });

  it('depends on its seed', () => {
    const a = new Replica();
    const b = new Replica();
    a.init(setup);
    b.init({ ...setup, seed: 100 });
    expect(a.spins).not.toEqual(b.spins);
  });

  it('continues identically when revived from its enumerable state, as on a host', () => {
    const original = new Replica();
    original.init(setup);
    original.sample(2.3, 5);
    const copy = revive(original);
    expect(copy).toBeInstanceOf(Replica);
    for (const t of [1.9, 2.7, 2.3]) expect(copy.sample(t, 3)).toEqual(original.sample(t, 3));
    expect(copy.state()).toEqual(original.state());
  });

  it('can be published fresh and set up on the host', () => {
    const host = revive(new Replica());
    const here = new Replica();
    expect(host.init(setup)).toEqual(here.init(setup));
    expect(host.sample(2.2, 2)).toEqual(here.sample(2.2, 2));
  });

  it('exposes only init, sample and state as methods', () => {
    const methods = Object.getOwnPropertyNames(Replica.prototype).filter((name) => name !== 'constructor');
    expect(methods.sort()).toEqual(['init', 'sample', 'state']);
  });

  it('returns a state that is a copy', () => {
    const replica = new Replica();
    replica.init(setup);
    const state = replica.state();
    state.spins.fill(0);
    expect(replica.spins.every((s) => s === 1 || s === -1)).toBe(true);
  });

  it('refuses calls before init and bad setups', () => {
    expect(() => new Replica().sample(2, 1)).toThrow('Replica.sample called before Replica.init');
    expect(() => new Replica().init({ ...setup, index: -1 })).toThrow(RangeError);
    expect(() => new Replica().init({ ...setup, seed: -1 })).toThrow(RangeError);
    expect(() => new Replica().init({ ...setup, size: 1 })).toThrow(RangeError);
    const replica = new Replica();
    replica.init(setup);
    expect(() => replica.sample(0, 1)).toThrow(RangeError);
  });
});
