import { describe, expect, it } from 'vitest';
import type { ExchangeConfig } from './config.js';
import { LiveState } from './live-state.js';

const config: ExchangeConfig = { replicas: 3, rounds: 10, sweeps: 1, size: 4, tmin: 2, tmax: 3, seed: 1 };

function setup(): { state: LiveState; to: (ms: number) => void } {
  let t = 0;
  const state = new LiveState({
    config,
    transport: 'local',
    hosts: [{ name: 'a', slots: 2 }, { name: 'b', address: '10.0.0.2', slots: 1 }],
    now: () => t,
  });
  return { state, to: (ms) => (t = ms) };
}

describe('LiveState', () => {
  it('lists every host and slot from the start, waiting until its server is added', () => {
    const { state } = setup();
    const snapshot = state.snapshot();
    expect(snapshot).toMatchObject({ phase: 'starting', round: 0, rounds: 10, accepted: 0, attempted: 0, calls: 0, callsPerSecond: 0, transport: 'local', config });
    expect(snapshot.hosts.map((h) => [h.name, h.address, h.servers.map((s) => s.state)])).toEqual([
      ['a', undefined, ['waiting', 'waiting']],
      ['b', '10.0.0.2', ['waiting']],
    ]);
  });

  it('shows servers busy while a call is in flight, free after, lost when lost', () => {
    const { state, to } = setup();
    state.serverAdded('a', 0);
    state.serverAdded('a', 1);
    state.serverAdded('b', 0);
    state.callStarted('a', 1);
    const states = (): string[] => state.snapshot().hosts.flatMap((h) => h.servers.map((s) => s.state));
    expect(states()).toEqual(['free', 'busy', 'free']);
    to(4);
    state.callFinished('a', 1, 4);
    expect(states()).toEqual(['free', 'free', 'free']);
    state.serverLost('b', 0);
    state.callStarted('b', 0);
    expect(states()).toEqual(['free', 'free', 'lost']);
    expect(state.snapshot().hosts[0]!.servers[1]).toMatchObject({ calls: 1, meanMs: 4 });
    state.serverAdded('nowhere', 9); // unknown servers are ignored
  });

  it('follows progress and phases', () => {
    const { state } = setup();
    state.setPhase('running');
    state.setProgress({ round: 4, rounds: 10, accepted: 3, attempted: 6 });
    expect(state.snapshot()).toMatchObject({ phase: 'running', round: 4, accepted: 3, attempted: 6 });
    state.setPhase('failed', 'host gone');
    expect(state.snapshot()).toMatchObject({ phase: 'failed', message: 'host gone' });
  });

  it('counts calls per second over the last second', () => {
    const { state, to } = setup();
    state.serverAdded('a', 0);
    for (let i = 0; i < 50; i++) {
      to(1000 + i * 20);
      state.callStarted('a', 0);
      to(1000 + i * 20 + 10);
      state.callFinished('a', 0, 10);
    }
    to(1995);
    const busy = state.snapshot();
    expect(busy.calls).toBe(50);
    expect(busy.callsPerSecond).toBeGreaterThan(40);
    expect(busy.callsPerSecond).toBeLessThan(60);
    to(5000);
    expect(state.snapshot().callsPerSecond).toBe(0);
  });

  it('gives each server its busy share of the last second', () => {
    const { state, to } = setup();
    state.serverAdded('a', 0);
    state.snapshot();
    state.callStarted('a', 0);
    to(250);
    state.callFinished('a', 0, 250);
    to(1000);
    expect(state.snapshot().hosts[0]!.servers[0]!.utilization).toBeCloseTo(0.25, 3);
    state.callStarted('a', 0);
    to(2000);
    expect(state.snapshot().hosts[0]!.servers[0]!.utilization).toBe(1);
  });
});
