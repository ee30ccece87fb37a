import { describe, expect, it } from 'vitest';
import { planCopy, type Manifest } from './index.js';

const A = 'a'.repeat(64);
const B = 'b'.repeat(64);

describe('planCopy', () => {
  it('sends a file the host does not have', () => {
    expect(planCopy({ 'new.txt': { size: 5, mode: 0o644, hash: A } }, {})).toEqual({
      send: ['new.txt'],
      unchanged: [],
      bytesToSend: 5,
      bytesUnchanged: 0,
    });
  });

  it('sends a file whose content changed', () => {
    const plan = planCopy({ 'x.txt': { size: 5, mode: 0o644, hash: A } }, { 'x.txt': { size: 5, mode: 0o644, hash: B } });
    expect(plan.send).toEqual(['x.txt']);
  });

  it('sends a file whose mode changed, so executable bits arrive', () => {
    const plan = planCopy({ 'run.sh': { size: 5, mode: 0o755, hash: A } }, { 'run.sh': { size: 5, mode: 0o644, hash: A } });
    expect(plan).toMatchObject({ send: ['run.sh'], unchanged: [], bytesToSend: 5 });
  });

  it('sends a file whose size differs even with the same hash and mode', () => {
    const plan = planCopy({ 'x.txt': { size: 5, mode: 0o644, hash: A } }, { 'x.txt': { size: 4, mode: 0o644, hash: A } });
    expect(plan.send).toEqual(['x.txt']);
  });

  it('leaves a file with the same hash and mode unchanged', () => {
    const entry = { size: 7, mode: 0o644, hash: A };
    expect(planCopy({ 'same.txt': entry }, { 'same.txt': { ...entry } })).toEqual({
      send: [],
      unchanged: ['same.txt'],
      bytesToSend: 0,
      bytesUnchanged: 7,
    });
  });

  it('sends again a file removed on the host, and leaves files only the host has alone', () => {
    const local: Manifest = {
      'kept.txt': { size: 1, mode: 0o644, hash: A },
      'lost.txt': { size: 2, mode: 0o644, hash: B },
    };
    const remote: Manifest = { 'kept.txt': { size: 1, mode: 0o644, hash: A }, 'old.txt': { size: 9, mode: 0o644, hash: A } };
    expect(planCopy(local, remote)).toEqual({ send: ['lost.txt'], unchanged: ['kept.txt'], bytesToSend: 2, bytesUnchanged: 1 });
  });

  it('sorts both lists and sums the bytes', () => {
    const local: Manifest = {
      'b.txt': { size: 10, mode: 0o644, hash: A },
      'a.txt': { size: 20, mode: 0o644, hash: A },
      'd.txt': { size: 1, mode: 0o644, hash: B },
      'c.txt': { size: 2, mode: 0o644, hash: B },
    };
    const remote: Manifest = { 'd.txt': local['d.txt']!, 'c.txt': local['c.txt']! };
    expect(planCopy(local, remote)).toEqual({
      send: ['a.txt', 'b.txt'],
      unchanged: ['c.txt', 'd.txt'],
      bytesToSend: 30,
      bytesUnchanged: 3,
    });
  });

  it('is not fooled by names found on Object.prototype', () => {
    const local: Manifest = Object.fromEntries([
      ['constructor', { size: 1, mode: 0o644, hash: A }],
      ['__proto__', { size: 1, mode: 0o644, hash: A }],
    ]);
    expect(planCopy(local, {}).send).toEqual(['__proto__', 'constructor']);
  });
});
