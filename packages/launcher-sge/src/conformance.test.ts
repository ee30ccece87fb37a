/**
 * sgeTransport against a real Sun Grid Engine. `qrsh -inherit` starts tasks only for the
 * job its caller belongs to, so the grid's controller must run inside a parallel job:
 * this file stands up a single-node SGE (`@hostgrid/testbed`), submits one job of 4 slots
 * (`qsub -pe smp 4`) whose script is vitest running `src/job/*.job.ts` (the transport and
 * staging conformance suites, and SGE's own cases) with a JSON report, waits for it, and
 * checks the report test by test, the job's accounting, and that nothing is left running.
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startSge, type SgeJobResult, type SgeTestbed } from '@hostgrid/testbed';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

interface AssertionResult {
  readonly fullName: string;
  readonly status: 'passed' | 'failed' | 'skipped' | 'pending' | 'todo' | 'disabled';
  readonly failureMessages: readonly string[];
}
interface VitestReport {
  readonly numTotalTests: number;
  readonly numPassedTests: number;
  readonly testResults: ReadonlyArray<{ readonly name: string; readonly message?: string; readonly assertionResults: readonly AssertionResult[] }>;
}

const PACKAGE = fileURLToPath(new URL('..', import.meta.url));
const REPO = join(PACKAGE, '..', '..');
const VITEST = join(REPO, 'node_modules', 'vitest', 'vitest.mjs');
const SLOTS = 4;

let sge: SgeTestbed;
let job: SgeJobResult;
let report: VitestReport;
let output: string;

beforeAll(async () => {
  for (const built of ['packages/core/dist/testing/conformance.js', 'packages/worker/dist/hostgrid-worker.js', 'tooling/testbed/dist/index.js']) {
    if (!existsSync(join(REPO, built))) throw new Error(`[launcher-sge test] ${built} is missing: build first (npx turbo run build --filter=@hostgrid/launcher-sge...)`);
  }
  sge = await startSge({ slots: SLOTS, name: 'launcher-sge' });
  const temp = join(sge.dir, 'shared');
  await mkdir(temp);
  const results = join(sge.dir, 'results.json');
  const id = await sge.qsub([
    '-pe', 'smp', String(SLOTS),
    '-N', 'hostgrid-conformance',
    '-wd', PACKAGE,
    '-o', join(sge.dir, 'job.out'),
    '-j', 'y',
    '-v', `HOSTGRID_SGE_TEMP=${temp}`,
    '-b', 'y',
    process.execPath, VITEST, 'run', '--config', 'vitest.job.config.ts', '--reporter=json', `--outputFile=${results}`,
  ]);
  job = await sge.waitForJob(id, { timeoutMs: 600_000 });
  output = existsSync(join(sge.dir, 'job.out')) ? await readFile(join(sge.dir, 'job.out'), 'utf8') : '';
  if (!existsSync(results)) throw new Error(`[launcher-sge test] the job wrote no report (exit status ${job.exitStatus}, failed ${job.failed}); its output:\n${output.slice(-4000)}`);
  report = JSON.parse(await readFile(results, 'utf8')) as VitestReport;
}, 660_000);

afterAll(() => sge?.stop());

const assertions = (): AssertionResult[] => report.testResults.flatMap((file) => file.assertionResults);

describe('sgeTransport in a real SGE parallel job (qsub -pe smp 4, workers by qrsh -inherit)', () => {
  it('runs every in-job test file', () => {
    const files = report.testResults.map((file) => file.name.slice(file.name.lastIndexOf('/') + 1)).sort();
    expect(files).toEqual(['conformance.job.ts', 'sge-transport.job.ts']);
    for (const file of report.testResults) expect(file.message ?? '', file.name).toBe('');
  });

  it('passes the transport conformance suite (all but the late-host test, which needs a second host)', () => {
    const suite = assertions().filter((test) => test.fullName.startsWith('transport conformance: sge'));
    expect(suite.length).toBeGreaterThanOrEqual(18);
    // A single-node cell has no host outside the job's list to add later (lateHost): the
    // suite itself leaves that test out (runIf), and nothing else may be left out.
    const late = (test: AssertionResult): boolean => test.fullName.includes('a host added after publish');
    expect(suite.filter(late).map((test) => test.status)).toEqual(['skipped']);
    expect(suite.filter((test) => !late(test) && test.status !== 'passed').map((test) => `${test.fullName}: ${test.status}\n${test.failureMessages.join('\n')}`)).toEqual([]);
  });

  it('passes the staging conformance suite', () => {
    const suite = assertions().filter((test) => test.fullName.startsWith('staging conformance: sge'));
    expect(suite.length).toBeGreaterThanOrEqual(3);
    expect(suite.filter((test) => test.status !== 'passed').map((test) => `${test.fullName}: ${test.status}\n${test.failureMessages.join('\n')}`)).toEqual([]);
  });

  it('passes the SGE cases: a lost worker does not fail the job, terminate leaves no task, refusals read clearly, host settings apply', () => {
    const suite = assertions().filter((test) => test.fullName.startsWith('sgeTransport inside a parallel job'));
    expect(suite.length).toBe(6);
    expect(suite.filter((test) => test.status !== 'passed').map((test) => `${test.fullName}: ${test.status}\n${test.failureMessages.join('\n')}`)).toEqual([]);
  });

  it('ends the job normally: SGE never counted a killed worker as a failed task (which ends the whole job)', () => {
    expect(job, output.slice(-4000)).toMatchObject({ exitStatus: 0, failed: '0' });
    expect(report.numPassedTests).toBe(report.numTotalTests - 1);
  });

  it('leaves nothing running: qstat lists no job and no process of the job is left', async () => {
    expect(await sge.jobs()).toEqual([]);
    expect(sge.jobProcesses()).toEqual([]);
  });
});
