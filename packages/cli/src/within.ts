/**
 * Settles like `work`, or rejects with `onTimeout()` once `ms` have passed (the work
 * itself goes on: callers close what it holds). The timer does not hold the process.
 */
export function within<T>(ms: number, work: Promise<T>, onTimeout: () => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(onTimeout()), ms);
    timer.unref();
  });
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}
