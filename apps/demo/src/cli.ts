#!/usr/bin/env node
/**
 * `hostgrid-demo`: replica exchange of a 2D Ising model on a Hostgrid, from the command
 * line. Exit codes: 0 done, 1 the run failed, 2 bad command line.
 *
 * @packageDocumentation
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { PROGRAM, USAGE, UsageError, parseCliArgs } from './args.js';
import type { ExchangeOptions, ExchangeResult } from './exchange.js';
import { type ServerUsage, formatProgress, formatSummary } from './report.js';
import { runSequential } from './sequential.js';

const oneLine = (text: string): string => text.replace(/\s*\n\s*/g, ' ').trim();

async function main(argv: readonly string[]): Promise<number> {
  let cli;
  try {
    cli = parseCliArgs(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`${PROGRAM}: ${oneLine(error.message)} (see ${PROGRAM} --help)\n`);
    return 2;
  }
  if (cli.help) {
    process.stdout.write(USAGE);
    return 0;
  }

  const { config } = cli;
  const every = Math.max(1, Math.ceil(config.rounds / 10));
  const options: ExchangeOptions = {
    onRound: (progress) => {
      if (progress.round % every === 0 || progress.round === progress.rounds) console.log(formatProgress(progress));
    },
  };
  const started = performance.now();
  let result: ExchangeResult;
  let servers: ServerUsage[] | undefined;
  try {
    if (cli.sequential) {
      result = await runSequential(config, options);
    } else {
      // Loaded only now, so that --help and usage errors never need the grid.
      const { runOnGrid } = await import('./run-on-grid.js');
      const { StagingBars } = await import('./staging-bar.js');
      const bars = new StagingBars();
      ({ result, servers } = await runOnGrid(config, { ...options, display: cli.display, onStaging: (event) => bars.update(event) }));
    }
  } catch (error) {
    const err = error instanceof Error ? error : new Error(String(error));
    const name = err.name === 'Error' ? '' : `${err.name}: `;
    process.stderr.write(`${PROGRAM}: run failed: ${name}${oneLine(err.message)}\n`);
    return 1;
  }
  const wallMs = performance.now() - started;

  console.log(`\n${formatSummary(result, { wallMs, ...(servers ? { servers } : {}) })}`);
  if (cli.out !== undefined) {
    try {
      await mkdir(cli.out, { recursive: true });
      const file = join(cli.out, 'result.json');
      await writeFile(file, `${JSON.stringify(result, null, 2)}\n`);
      console.log(`wrote ${file}`);
    } catch (error) {
      process.stderr.write(`${PROGRAM}: cannot write the result to ${cli.out}: ${oneLine((error as Error).message)}\n`);
      return 1;
    }
  }
  return 0;
}

process.exitCode = await main(process.argv.slice(2));
