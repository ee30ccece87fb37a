#!/usr/bin/env node
/**
 * `hostgrid-demo`: replica exchange of a 2D Ising model on a Hostgrid, from the command
 * line. Exit codes: 0 done, 1 the run failed, 2 bad command line.
 *
 * @packageDocumentation
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { type CliOptions, PROGRAM, USAGE, UsageError, parseCliArgs } from './args.js';
import { MAX_REPLICAS } from './config.js';
import { type DemoRun, runDemo } from './demo-run.js';
import type { LiveServer } from './live-server.js';
import type { LiveState } from './live-state.js';
import { formatProgress, formatSummary } from './report.js';
import { buildReportData } from './report-data.js';
import { resolveOutDir, writeOutput } from './write-output.js';

const oneLine = (text: string): string => text.replace(/\s*\n\s*/g, ' ').trim();

/** The SSH transport's advice names its options; on this command line they are flags. */
const FLAG_NAMES: ReadonlyArray<[RegExp, string]> = [
  [/\bset acceptNewHostKeys\b/, 'pass --accept-new-host-keys'],
  [/"privateKey" \(or the agent\)/, '--key (or the agent)'],
];

/** An error as one line for people: its name unless generic, its message without the library's `[hostgrid]` tag. */
function describe(error: unknown): string {
  const err = error instanceof Error ? error : new Error(String(error));
  const name = err.name === 'Error' || err.name === 'HostgridError' ? '' : `${err.name}: `;
  const message = FLAG_NAMES.reduce((text, [pattern, flag]) => text.replace(pattern, flag), oneLine(err.message));
  return `${name}${message.replace(/^\[hostgrid\]\s*/, '')}`;
}

async function main(argv: readonly string[]): Promise<number> {
  let cli: CliOptions;
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
  const outDir = resolveOutDir(cli.out);
  if (cli.launcher?.sbatch !== undefined) {
    const { submitDemo } = await import('./sbatch.js');
    return submitDemo(cli, outDir, describe);
  }
  if (cli.launcher !== undefined) {
    const { name } = cli.launcher;
    // The hosts and the number of replicas are the allocation's.
    try {
      cli = await (await import('./launcher.js')).withAllocation(cli, MAX_REPLICAS);
    } catch (error) {
      process.stderr.write(`${PROGRAM}: cannot use the ${name} allocation: ${describe(error)}\n`);
      return 1;
    }
  }
  const { config } = cli;
  const transportName = cli.launcher?.name ?? cli.transport;

  let live: { state: LiveState; server: LiveServer } | undefined;
  if (cli.live !== undefined) {
    const [{ LiveState }, { LiveServer }] = await Promise.all([import('./live-state.js'), import('./live-server.js')]);
    const state = new LiveState({ config, transport: transportName, hosts: cli.hosts });
    try {
      live = { state, server: await LiveServer.start({ snapshot: () => state.snapshot(), port: cli.live.port }) };
    } catch (error) {
      process.stderr.write(`${PROGRAM}: cannot serve the live view on 127.0.0.1:${cli.live.port}: ${describe(error)}\n`);
      return 1;
    }
    console.log(`live view: ${live.server.url}`);
  }

  try {
    const every = Math.max(1, Math.ceil(config.rounds / 10));
    let run: DemoRun;
    try {
      run = await runDemo(cli, {
        onRound: (progress) => {
          // On a terminal the bar is redrawn every round; in a log, about ten lines in all.
          if (process.stdout.isTTY) {
            process.stdout.write(`\r\x1b[2K${formatProgress(progress)}${progress.round === progress.rounds ? '\n' : ''}`);
          } else if (progress.round % every === 0 || progress.round === progress.rounds) {
            console.log(formatProgress(progress));
          }
        },
        ...(live === undefined ? {} : { live: live.state }),
        onNotice: (line) => console.log(line),
      });
    } catch (error) {
      const message = describe(error);
      live?.state.setPhase('failed', message);
      process.stderr.write(`${PROGRAM}: run failed: ${message}\n`);
      return 1;
    }
    live?.state.setPhase('finished');

    const { result, servers, timeline, wallMs } = run;
    console.log(`\n${formatSummary(result, { wallMs, ...(servers ? { servers } : {}) })}`);
    const report = buildReportData(result, {
      run: {
        transport: cli.sequential ? 'sequential' : transportName,
        hosts: cli.sequential ? [] : cli.hosts,
        wallMs,
        servers: servers ?? [],
      },
      ...(timeline === undefined ? {} : { timeline }),
    });
    try {
      const files = await writeOutput(outDir, result, report);
      console.log(`wrote ${files.result}`);
      console.log(`report: ${files.reportHtml} (its data: ${files.reportJson})`);
    } catch (error) {
      process.stderr.write(`${PROGRAM}: cannot write the result to ${outDir}: ${describe(error)}\n`);
      return 1;
    }
    return 0;
  } finally {
    if (live !== undefined) {
      const holdMs = cli.live?.holdMs ?? 0;
      if (holdMs > 0) {
        console.log(`live view: still at ${live.server.url} for ${holdMs} ms`);
        await sleep(holdMs);
      }
      await live.server.close();
    }
  }
}

process.exitCode = await main(process.argv.slice(2)).catch((error: unknown) => {
  // Nothing should get here; if something does, it is still one line.
  process.stderr.write(`${PROGRAM}: ${describe(error)}\n`);
  return 1;
});
