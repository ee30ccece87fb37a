import { describe, expect, it } from 'vitest';
import { TimelineRecorder } from './timeline.js';

/** A clock the test moves by hand. */
function clock(): { now: () => number; to: (ms: number) => void } {
  let t = 1000;
  return { now: () => t, to: (ms) => (t = 1000 + ms) };
}

describe('TimelineRecorder', () => {
  it('records busy stretches per server from call events, relative to its creation', () => {
    const c = clock();
    const timeline = new TimelineRecorder({ now: c.now });
    timeline.serverAdded('h', 0);
    timeline.serverAdded('h', 1);
    c.to(10);
    timeline.callStarted('h', 0);
    c.to(15);
    timeline.callFinished('h', 0, 5);
    c.to(20);
    timeline.callStarted('h', 0);
    timeline.callStarted('h', 0); // pipelined: still one busy stretch
    c.to(30);
    timeline.callFinished('h', 0, 10);
    c.to(32);
    timeline.callFinished('h', 0, 2);
    c.to(40);
    const data = timeline.finish();
    expect(data.totalMs).toBe(40);
    expect(data.servers).toEqual([
      { host: 'h', slot: 0, calls: 3, busyMs: 17, busyByPhaseMs: [17], segments: [[10, 5], [20, 12]] },
      { host: 'h', slot: 1, calls: 0, busyMs: 0, busyByPhaseMs: [0], segments: [] },
    ]);
  });

  it('merges idle gaps under totalMs / detail at the end', () => {
    const c = clock();
    const timeline = new TimelineRecorder({ now: c.now, detail: 100 });
    for (let i = 0; i < 10; i++) {
      c.to(i * 10);
      timeline.callStarted('h', 0);
      c.to(i * 10 + 9.95);
      timeline.callFinished('h', 0, 9.95);
    }
    c.to(100);
    const data = timeline.finish();
    expect(data.resolutionMs).toBe(1);
    expect(data.servers[0]!.segments).toEqual([[0, 99.95]]);
    expect(data.servers[0]!.busyMs).toBeCloseTo(99.5, 6);
  });

  it('keeps at most maxSegmentsPerServer segments, its busy time exact', () => {
    const c = clock();
    const timeline = new TimelineRecorder({ now: c.now, maxSegmentsPerServer: 16, detail: 1e9 });
    for (let i = 0; i < 1000; i++) {
      c.to(i);
      timeline.callStarted('h', 0);
      c.to(i + 0.5 + (i % 7) * 0.01);
      timeline.callFinished('h', 0, 0.5);
    }
    const data = timeline.finish();
    expect(data.servers[0]!.segments.length).toBeLessThanOrEqual(16);
    expect(data.servers[0]!.segments.length).toBeGreaterThan(0);
    const expected = Array.from({ length: 1000 }, (_, i) => 0.5 + (i % 7) * 0.01).reduce((a, b) => a + b, 0);
    expect(data.servers[0]!.busyMs).toBeCloseTo(expected, 6);
    expect(data.resolutionMs).toBeGreaterThan(0);
    // the segments still cover the whole busy span, from the first call to the last
    const [first] = data.servers[0]!.segments;
    const last = data.servers[0]!.segments.at(-1)!;
    expect(first![0]).toBe(0);
    expect(last[0] + last[1]).toBeCloseTo(999.55, 6);
  });

  it('counts a call still in flight as busy until finish, and one whose start it missed from its elapsed time', () => {
    const c = clock();
    const timeline = new TimelineRecorder({ now: c.now });
    c.to(50);
    timeline.callFinished('h', 3, 20);
    c.to(60);
    timeline.callStarted('h', 3);
    c.to(70);
    const data = timeline.finish();
    expect(data.servers).toEqual([{ host: 'h', slot: 3, calls: 1, busyMs: 30, busyByPhaseMs: [30], segments: [[30, 20], [60, 10]] }]);
  });

  it('ends a lost server’s busy stretch when it is lost', () => {
    const c = clock();
    const timeline = new TimelineRecorder({ now: c.now });
    timeline.callStarted('h', 0);
    c.to(5);
    timeline.serverLost('h', 0);
    c.to(9);
    expect(timeline.finish().servers[0]).toMatchObject({ busyMs: 5, segments: [[0, 5]] });
  });

  it('records marks and each round’s wall time', () => {
    const c = clock();
    const timeline = new TimelineRecorder({ now: c.now });
    c.to(3);
    timeline.mark('staging files');
    c.to(10);
    timeline.roundsStarted();
    c.to(14);
    timeline.roundDone();
    c.to(20.5);
    timeline.roundDone();
    const data = timeline.finish();
    expect(data.marks).toEqual([
      { label: 'staging files', atMs: 3 },
      { label: 'exchange rounds', atMs: 10 },
    ]);
    expect(data.roundMs).toEqual([4, 6.5]);
  });

  it('splits each server’s busy time by phase, a call in flight across a mark counted on both sides', () => {
    const c = clock();
    const timeline = new TimelineRecorder({ now: c.now });
    timeline.serverAdded('h', 0);
    c.to(10);
    timeline.callStarted('h', 0);
    c.to(20);
    timeline.roundsStarted();
    c.to(26);
    timeline.callFinished('h', 0, 16);
    c.to(30);
    timeline.callStarted('h', 1); // a server that shows up after the mark
    c.to(34);
    timeline.callFinished('h', 1, 4);
    c.to(40);
    timeline.mark('stopping grid');
    c.to(50);
    const data = timeline.finish();
    expect(data.servers.map((s) => [s.busyMs, s.busyByPhaseMs])).toEqual([
      [16, [10, 6, 0]],
      [4, [0, 4, 0]],
    ]);
  });
});
