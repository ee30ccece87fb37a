/** Something that can stop its workers synchronously. */
export interface Killable {
  killAll(): void;
}

const live = new Set<Killable>();
let installed = false;

function onExit(): void {
  for (const grid of live) grid.killAll();
}

function onSignal(signal: NodeJS.Signals): void {
  // Node exits on these signals only when nobody listens. We listen; so when the program
  // has no handler of its own, stop every worker and die of the signal as it would have.
  // When it has one, it decides: the grids stay as they are (and should it exit, the
  // 'exit' hook still stops the workers).
  if (process.listeners(signal).some((listener) => listener !== onSignal)) return;
  for (const grid of live) grid.killAll();
  live.clear();
  uninstall();
  process.kill(process.pid, signal);
}

function install(): void {
  if (installed) return;
  installed = true;
  process.on('exit', onExit);
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  process.on('SIGHUP', onSignal);
}

function uninstall(): void {
  if (!installed) return;
  installed = false;
  process.off('exit', onExit);
  process.off('SIGINT', onSignal);
  process.off('SIGTERM', onSignal);
  process.off('SIGHUP', onSignal);
}

/**
 * Keeps `grid` on the list of things whose workers are killed when the process exits
 * or gets SIGINT, SIGTERM or SIGHUP, so that no worker outlives its controller.
 * Returns the function that takes it off again.
 */
export function killOnExit(grid: Killable): () => void {
  live.add(grid);
  install();
  return () => {
    live.delete(grid);
    if (live.size === 0) uninstall();
  };
}
