import { performance } from 'node:perf_hooks';
import type { GridListener } from './grid-listener.js';

/** The label of the phase {@link TimelineRecorder.roundsStarted} marks: the exchange rounds themselves. */
export const ROUNDS_PHASE = 'exchange rounds';

/** A busy stretch of one server: `[startMs, durationMs]`, from the start of the run. */
export type Segment = readonly [startMs: number, durationMs: number];

/** One server's busy time during a run. */
export interface ServerTimeline {
  /** The host's name. */
  readonly host: string;
  /** The slot on that host. */
  readonly slot: number;
  /** Calls the server ran. */
  readonly calls: number;
  /** Time with at least one call in flight, in ms (exact, before any merging). */
  readonly busyMs: number;
  /**
   * The same, per phase of the run: before the first mark, then from each mark to the
   * next (the last to the end), so `marks.length + 1` entries adding up to `busyMs`.
   */
  readonly busyByPhaseMs: number[];
  /** Busy stretches in time order; idle gaps up to {@link Timeline.resolutionMs} may be merged away. */
  readonly segments: Segment[];
}

/** The start of a phase of the run, e.g. `exchange rounds`; it lasts until the next mark. */
export interface PhaseMark {
  /** The phase that starts here. */
  readonly label: string;
  /** When, in ms from the start of the run. */
  readonly atMs: number;
}

/** Who was busy when, during one run: what the report's timeline draws. */
export interface Timeline {
  /** From the start of the run to {@link TimelineRecorder.finish}, in ms. */
  readonly totalMs: number;
  /** The longest idle gap that may have been merged into the busy segments around it, in ms. */
  readonly resolutionMs: number;
  /** Every server seen, in the order they came up (server order = replica order). */
  readonly servers: ServerTimeline[];
  /** Phases of the run, in time order. */
  readonly marks: PhaseMark[];
  /** Wall time of each exchange round, in ms, in order. */
  readonly roundMs: number[];
}

/** Options of {@link TimelineRecorder}. */
export interface TimelineOptions {
  /** Milliseconds since some fixed moment; the recorder's creation is time 0. @defaultValue `performance.now` */
  readonly now?: () => number;
  /** The most segments kept per server; beyond it, ever longer idle gaps are merged. @defaultValue 2000 */
  readonly maxSegmentsPerServer?: number;
  /** Target width of the finished timeline in segments' terms: gaps under `totalMs / detail` are merged at the end. @defaultValue 4000 */
  readonly detail?: number;
}

interface Track {
  readonly host: string;
  readonly slot: number;
  calls: number;
  busyMs: number;
  inflight: number;
  busySince: number;
  /** Cumulative busy time at each mark. */
  busyAtMarks: number[];
  /** Flat `[start0, end0, start1, end1, …]`, in time order. */
  spans: number[];
  gapMs: number;
}

const round3 = (ms: number): number => Math.round(ms * 1000) / 1000;

/** Merges spans whose gap is at most `gapMs`, in place; returns the array. */
function mergeSpans(spans: number[], gapMs: number): number[] {
  let out = 0;
  for (let i = 0; i < spans.length; i += 2) {
    const start = spans[i]!;
    const end = spans[i + 1]!;
    if (out > 0 && start - spans[out - 1]! <= gapMs) {
      spans[out - 1] = Math.max(spans[out - 1]!, end);
    } else {
      spans[out++] = start;
      spans[out++] = end;
    }
  }
  spans.length = out;
  return spans;
}

/**
 * Records, per server, when it was busy (at least one call in flight), from the grid's
 * call events, plus each round's wall time and the phases of a run. Small by design:
 * touching busy stretches are merged as they come, and a server with more than
 * `maxSegmentsPerServer` stretches has its shortest idle gaps merged away (its exact busy
 * time is kept apart).
 *
 * @example
 * ```ts
 * const timeline = new TimelineRecorder();
 * followGrid(grid, [timeline]);
 * await runExchange(ensemble, config, { onStart: () => timeline.roundsStarted(), onRound: () => timeline.roundDone() });
 * const data = timeline.finish();
 * ```
 */
export class TimelineRecorder implements GridListener {
  readonly #now: () => number;
  readonly #origin: number;
  readonly #max: number;
  readonly #detail: number;
  readonly #tracks: Track[] = [];
  readonly #byKey = new Map<string, Track>();
  readonly #marks: PhaseMark[] = [];
  readonly #roundMs: number[] = [];
  #roundEnd: number | undefined;

  constructor(options: TimelineOptions = {}) {
    this.#now = options.now ?? (() => performance.now());
    this.#origin = this.#now();
    this.#max = Math.max(1, options.maxSegmentsPerServer ?? 2000);
    this.#detail = Math.max(1, options.detail ?? 4000);
  }

  /** Milliseconds since the recorder was made. */
  elapsed(): number {
    return this.#now() - this.#origin;
  }

  #track(host: string, slot: number): Track {
    const key = `${host}\u0000${slot}`;
    let track = this.#byKey.get(key);
    if (track === undefined) {
      track = { host, slot, calls: 0, busyMs: 0, inflight: 0, busySince: 0, busyAtMarks: this.#marks.map(() => 0), spans: [], gapMs: 0 };
      this.#byKey.set(key, track);
      this.#tracks.push(track);
    }
    return track;
  }

  /** A server came up: it gets its row even if it never runs a call. */
  serverAdded(host: string, slot: number): void {
    this.#track(host, slot);
  }

  /** A call was sent to a server: it is busy from now on until its last call ends. */
  callStarted(host: string, slot: number): void {
    const track = this.#track(host, slot);
    if (track.inflight++ === 0) track.busySince = this.elapsed();
  }

  /** A call ended. A call whose start was not seen counts from `elapsedMs` ago. */
  callFinished(host: string, slot: number, elapsedMs: number): void {
    const track = this.#track(host, slot);
    track.calls++;
    const now = this.elapsed();
    if (track.inflight === 0) {
      this.#close(track, Math.max(0, now - elapsedMs), now);
    } else if (--track.inflight === 0) {
      this.#close(track, track.busySince, now);
    }
  }

  /** The server's worker is gone: whatever was in flight ends now. */
  serverLost(host: string, slot: number): void {
    const track = this.#track(host, slot);
    if (track.inflight > 0) {
      track.inflight = 0;
      this.#close(track, track.busySince, this.elapsed());
    }
  }

  #close(track: Track, start: number, end: number): void {
    const { spans } = track;
    const lastEnd = spans.length > 0 ? spans[spans.length - 1]! : Number.NEGATIVE_INFINITY;
    track.busyMs += Math.max(0, end - Math.max(start, lastEnd));
    if (spans.length > 0 && start - lastEnd <= track.gapMs) {
      spans[spans.length - 1] = Math.max(lastEnd, end);
    } else {
      spans.push(start, end);
    }
    while (spans.length / 2 > this.#max) {
      track.gapMs = track.gapMs > 0 ? track.gapMs * 2 : 0.05;
      mergeSpans(spans, track.gapMs);
    }
  }

  /** Busy time of a track up to `now`, counting a call in flight. */
  #busyUntil(track: Track, now: number): number {
    if (track.inflight === 0) return track.busyMs;
    const lastEnd = track.spans.length > 0 ? track.spans[track.spans.length - 1]! : Number.NEGATIVE_INFINITY;
    return track.busyMs + Math.max(0, now - Math.max(track.busySince, lastEnd));
  }

  /** Marks the start of a phase of the run (`staging files`, `publishing`, …) at this moment. */
  mark(label: string): void {
    const now = this.elapsed();
    for (const track of this.#tracks) track.busyAtMarks.push(this.#busyUntil(track, now));
    this.#marks.push({ label, atMs: round3(now) });
  }

  /** The replicas are set up: round 1 starts now (marked `exchange rounds`). */
  roundsStarted(): void {
    this.mark(ROUNDS_PHASE);
    this.#roundEnd = this.elapsed();
  }

  /** A round ended: its wall time runs from the end of the one before (or {@link roundsStarted}). */
  roundDone(): void {
    const now = this.elapsed();
    this.#roundMs.push(round3(now - (this.#roundEnd ?? 0)));
    this.#roundEnd = now;
  }

  /**
   * The timeline so far, rounded to µs. Idle gaps shorter than `totalMs / detail` (well
   * under a pixel when drawn) are merged; calls still in flight count as busy until now.
   */
  finish(): Timeline {
    const totalMs = this.elapsed();
    let resolutionMs = totalMs / this.#detail;
    const tracks = this.#tracks.map((track) => {
      const spans = [...track.spans];
      if (track.inflight > 0) spans.push(track.busySince, totalMs);
      return { track, spans: mergeSpans(spans, resolutionMs) };
    });
    for (const { track, spans } of tracks) {
      resolutionMs = Math.max(resolutionMs, track.gapMs);
      let gap = resolutionMs;
      while (spans.length / 2 > this.#max) mergeSpans(spans, (gap = gap > 0 ? gap * 2 : 0.05));
      resolutionMs = Math.max(resolutionMs, gap);
    }
    return {
      totalMs: round3(totalMs),
      resolutionMs: round3(resolutionMs),
      servers: tracks.map(({ track, spans }) => {
        const segments: Segment[] = [];
        for (let i = 0; i < spans.length; i += 2) segments.push([round3(spans[i]!), round3(spans[i + 1]! - spans[i]!)]);
        const cumulative = [0, ...track.busyAtMarks, this.#busyUntil(track, totalMs)];
        return {
          host: track.host,
          slot: track.slot,
          calls: track.calls,
          busyMs: round3(cumulative.at(-1)!),
          busyByPhaseMs: cumulative.slice(1).map((busy, i) => round3(busy - cumulative[i]!)),
          segments,
        };
      }),
      marks: [...this.#marks],
      roundMs: [...this.#roundMs],
    };
  }
}
