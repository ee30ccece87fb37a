import { randomBytes } from 'node:crypto';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Grid } from '@hostgrid/core';
import { sshTransport } from '@hostgrid/transport-ssh';
import type { CheckOptions } from './check-args.js';
import { HostCheckError } from './check-failure.js';
import type { ProbeAnswer } from './probe/check-probe.js';
import { plainMessage } from './usage-error.js';
import { within } from './within.js';

/** The probe service's module, staged onto each host: it sits alone in its folder. */
const PROBE_MODULE = new URL('./probe/check-probe.js', import.meta.url);

/** How long terminating a probe grid may take before the check moves on. */
const TERMINATE_LIMIT_MS = 10_000;

/** One host's worker check: where it is and how to log in, its HostSpec fields, and the check's limits. */
export interface WorkerCheckTarget extends Pick<CheckOptions, 'agent' | 'knownHosts' | 'slots' | 'node' | 'tempPath' | 'connectTimeoutMs'> {
  readonly name: string;
  readonly address: string;
  readonly port: number;
  readonly user: string;
  /** The private key's contents; without it the agent is used. */
  readonly privateKey?: Buffer;
  /** Limit on the whole worker check, in ms. */
  readonly timeoutMs: number;
}

/**
 * Starts a real grid on the host alone (`@hostgrid/core` over `@hostgrid/transport-ssh`,
 * `slots` workers), stages and publishes {@link CheckProbe}, and has every server answer a
 * call carrying a fresh random value, which must come back. The grid is terminated and
 * its temp folder removed whatever happens.
 *
 * @returns how many servers answered
 * @throws {@link HostCheckError} (step `worker`) with the grid's error (its name and one-line message)
 */
export async function checkWorker(target: WorkerCheckTarget): Promise<{ answered: number }> {
  const fail = (problem: string, cause?: unknown): HostCheckError =>
    new HostCheckError({
      host: target.name,
      step: 'worker',
      problem,
      fix: 'every earlier check passed, so the worker itself failed there: its own words (its last stderr lines, when it left any) are in the message',
      cause,
    });
  const transport = sshTransport({
    user: target.user,
    port: target.port,
    knownHosts: target.knownHosts,
    connectTimeoutMs: target.connectTimeoutMs,
    ...(target.privateKey === undefined ? {} : { privateKey: target.privateKey }),
    ...(target.agent === undefined ? {} : { agent: target.agent }),
  });
  const starting = Grid.start({
    hosts: [{ name: target.name, address: target.address, slots: target.slots, node: target.node, ...(target.tempPath === undefined ? {} : { tempPath: target.tempPath }) }],
    transport,
    startTimeoutMs: target.timeoutMs,
  });
  const late = (): Error => fail(`no answer within ${target.timeoutMs / 1000} s (--timeout)`);
  let grid: Grid | undefined;
  try {
    grid = await within(target.timeoutMs, starting, late);
    const started = grid;
    const answers = await within(
      target.timeoutMs,
      (async () => {
        await started.copyFiles(dirname(fileURLToPath(PROBE_MODULE)), ['check-probe.js']);
        const id = await started.publish({ module: PROBE_MODULE.href, export: 'CheckProbe', args: [] });
        const value = randomBytes(12).toString('hex');
        const answers = await started.gather(started.broadcast<ProbeAnswer>(id, 'echo', value));
        const wrong = answers.find((answer) => answer.value !== value);
        if (wrong !== undefined) throw fail(`a server answered ${JSON.stringify(wrong.value)} instead of the value sent`);
        return answers;
      })(),
      late,
    );
    return { answered: answers.length };
  } catch (error) {
    if (error instanceof HostCheckError) throw error;
    throw fail(`${(error as Error).name}: ${oneLine(plainMessage(error))}`, error);
  } finally {
    // A start that outlived its limit still ends (its own start timeout): stop what it made then.
    const stopping = grid !== undefined ? grid.terminate({ cleanup: true }) : starting.then((slow) => slow.terminate({ cleanup: true }));
    await within(TERMINATE_LIMIT_MS, stopping, () => new Error('terminate took too long')).catch(() => undefined);
  }
}

/** A message on one line, at most 400 characters: output is one line per host. */
function oneLine(text: string): string {
  const line = text
    .replace(/\[hostgrid\] /g, '')
    .replace(/:\s*\n\s*/g, ': ')
    .replace(/\s*\n\s*/g, ' | ')
    .trim();
  return line.length > 400 ? `${line.slice(0, 399)}…` : line;
}
