import { execFileSync } from 'node:child_process';

/**
 * Where processes run. A wake-up across the two vCPUs costs ~50 µs here, so a round trip
 * depends more on placement than on anything else: compare A and B under the same one.
 * - `same`: controller and workers on CPU 0;
 * - `split`: controller on CPU 0, workers on CPU 1;
 * - `free`: wherever the kernel puts them.
 */
export type Placement = 'same' | 'split' | 'free';

/** Pins every thread of a process to the given CPUs (Linux `taskset -a`). */
export function pin(pid: number, cpus: string): void {
  execFileSync('taskset', ['-a', '-p', '-c', cpus, String(pid)], { stdio: 'ignore' });
}

/** Applies a placement to this process and its workers. */
export function place(placement: Placement, workerPids: readonly number[]): void {
  const all = '0-1023';
  const [controller, workers] = placement === 'same' ? ['0', '0'] : placement === 'split' ? ['0', '1'] : [all, all];
  pin(process.pid, controller);
  for (const pid of workerPids) pin(pid, workers);
}
