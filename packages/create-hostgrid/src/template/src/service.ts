/**
 * The service: every worker slot holds its own copy of a PiSampler and runs the calls
 * the controller sends it. Workers import this module to find the class, so it holds the
 * class and its registerClass line, and nothing that starts a grid.
 */
import { hostname } from 'node:os';
import { registerClass } from '@hostgrid/core/register';

/** What one call to {@link PiSampler.sample} answers. */
export interface Sample {
  /** Points that fell inside the quarter circle. */
  readonly inside: number;
  /** Points drawn by this call. */
  readonly points: number;
  /** Points drawn by this copy of the sampler so far, this call included. */
  readonly drawn: number;
  /** The host the call ran on. */
  readonly host: string;
  /** The worker process that ran it. */
  readonly pid: number;
}

/**
 * Estimates π by throwing random points at the unit square. Its public fields are its
 * state: `publish` sends them, and each worker revives its copy from them without
 * running the constructor.
 */
export class PiSampler {
  /** Points drawn so far by this copy. */
  drawn = 0;

  /** Draws `points` random points and counts those inside the quarter circle. */
  sample(points: number): Sample {
    let inside = 0;
    for (let i = 0; i < points; i++) {
      const x = Math.random();
      const y = Math.random();
      if (x * x + y * y <= 1) inside++;
    }
    this.drawn += points;
    return { inside, points, drawn: this.drawn, host: hostname(), pid: process.pid };
  }
}

// The workers import this module by its URL and take the class from it.
registerClass(PiSampler, import.meta.url);
