import type { ExchangeResult, RoundProgress } from './exchange.js';

/** One server's share of a grid run, from `grid.servers(id)`. */
export interface ServerUsage {
  /** The host's name. */
  readonly host: string;
  /** The slot on that host. */
  readonly slot: number;
  /** Calls the server ran. */
  readonly jobs: number;
  /** Mean time of those calls, in ms. */
  readonly meanMs: number;
}

/** What {@link formatSummary} prints besides the result itself. */
export interface SummaryContext {
  /** Wall time of the whole run (including starting and stopping the grid), in ms. */
  readonly wallMs: number;
  /** The servers that ran the replicas; absent for a sequential run. */
  readonly servers?: readonly ServerUsage[];
}

const pad = (text: string, width: number): string => text.padStart(width);

/** One progress line with a bar: `round 10/50 [#####...............]  swaps accepted 41/60 (68.3%)`. */
export function formatProgress(progress: RoundProgress): string {
  const { round, rounds, accepted, attempted } = progress;
  const width = 20;
  const filled = rounds === 0 ? width : Math.round((round / rounds) * width);
  const bar = `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}]`;
  const rate = attempted > 0 ? ` (${((100 * accepted) / attempted).toFixed(1)}%)` : '';
  return `round ${String(round).padStart(String(rounds).length)}/${rounds} ${bar}  swaps accepted ${accepted}/${attempted}${rate}`;
}

/**
 * The final summary: one row per temperature (mean energy and |magnetisation| per spin,
 * acceptance of the swap with the next temperature up), then wall time and servers.
 */
export function formatSummary(result: ExchangeResult, context: SummaryContext): string {
  const { config } = result;
  const lines = [
    `${config.replicas} replicas of a ${config.size}x${config.size} Ising lattice, ` +
      `${result.rounds} rounds of ${config.sweeps} sweeps, seed ${config.seed}`,
    '',
    `${pad('T', 8)}  ${pad('<E>/N', 9)}  ${pad('<|M|>/N', 9)}  ${pad('swap with next T', 16)}`,
  ];
  result.temperatures.forEach((t, k) => {
    const swap =
      k < result.swapAcceptance.length
        ? `${(100 * result.swapAcceptance[k]!).toFixed(1)}% of ${result.swapAttempts[k]!}`
        : '';
    lines.push(
      `${pad(t.toFixed(4), 8)}  ${pad(result.meanEnergyPerSpin[k]!.toFixed(4), 9)}  ` +
        `${pad(result.meanAbsMagnetizationPerSpin[k]!.toFixed(4), 9)}  ${pad(swap, 16)}`,
    );
  });
  lines.push('', `wall time ${(context.wallMs / 1000).toFixed(2)} s`);
  if (context.servers) {
    lines.push(`servers used: ${context.servers.length}`);
    for (const s of context.servers) {
      lines.push(`  ${s.host}/${s.slot}: ${s.jobs} calls, ${s.meanMs.toFixed(2)} ms mean`);
    }
  } else {
    lines.push('servers used: none (sequential, in this process)');
  }
  return lines.join('\n');
}
