/**
 * The workerpool peer's worker script, run by `workerpool.pool(…, { workerType: 'process' })`
 * in each child process: the same tiny call as the grid's `Adder.add`, registered the
 * way workerpool's documentation shows.
 */
import workerpool from 'workerpool';

workerpool.worker({
  add: (a: number, b: number): number => a + b,
});
