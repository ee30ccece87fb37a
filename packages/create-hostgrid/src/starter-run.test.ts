import { randomUUID } from 'node:crypto';
import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { processesWithEnv } from './fixtures/marked-processes.js';
import { packWorkspace } from './fixtures/pack-workspace.js';
import { cleanEnv, runCommand, type CommandResult } from './fixtures/run-command.js';
import { tempFolder, type TempFolder } from './fixtures/temp-folder.js';
import { VARIANTS, switchOn } from './fixtures/uncomment.js';

/**
 * A scaffolded project, outside the repository, installed from tarballs of this
 * repository's packages (`npm pack`, as a release would publish them) instead of a
 * registry; third-party dependencies come from npm's registry or its cache.
 */

const STARTER = ['@hostgrid/core', '@hostgrid/transport-local'];
const TRANSPORTS = ['@hostgrid/transport-ssh', '@hostgrid/transport-ws', '@hostgrid/launcher-slurm'];
/** What those depend on inside the repository. */
const UNDERNEATH = ['@hostgrid/protocol', '@hostgrid/staging', '@hostgrid/worker'];

let tmp: TempFolder;
let project: string;
let tarballs: Map<string, string>;
/** Set for every command run in the project, and so inherited by the grid's workers. */
const mark = randomUUID();
const env = cleanEnv({ CREATE_HOSTGRID_TEST: mark });

function explain(result: CommandResult): string {
  return `exit ${result.code ?? result.signal}\n--- stdout\n${result.stdout}\n--- stderr\n${result.stderr}`;
}

async function npm(args: string[], timeoutMs = 240_000): Promise<CommandResult> {
  return runCommand('npm', args, { cwd: project, env, timeoutMs });
}

beforeAll(async () => {
  tmp = await tempFolder('create-hostgrid-e2e-');
  const packed = join(tmp.path, 'tarballs');
  await mkdir(packed);
  tarballs = await packWorkspace(['create-hostgrid', ...STARTER, ...TRANSPORTS, ...UNDERNEATH], packed);
  // What `npm create hostgrid my-grid` runs, with this package's tarball for the registry's.
  const created = await runCommand('npm', ['exec', '--yes', `--package=${tarballs.get('create-hostgrid')!}`, '--', 'create-hostgrid', 'my-grid'], { cwd: tmp.path, env });
  expect(created.code, explain(created)).toBe(0);
  expect(created.stdout).toContain('cd my-grid && npm install && npm start');
  project = join(tmp.path, 'my-grid');
  // The template's ranges (^x.y.z) would be looked up in the registry: point every
  // @hostgrid package, direct or underneath, at its tarball instead.
  const manifestPath = join(project, 'package.json');
  const manifest = JSON.parse(await readFile(manifestPath, 'utf8')) as { dependencies: Record<string, string>; overrides?: Record<string, string> };
  expect(Object.keys(manifest.dependencies).sort()).toEqual(STARTER);
  // Relative, as npm writes a file: dependency it installs, so a later install of one of
  // them matches its override (npm refuses an override that differs from a direct dependency).
  const file = (name: string): string => `file:${relative(project, tarballs.get(name)!)}`;
  for (const name of STARTER) manifest.dependencies[name] = file(name);
  manifest.overrides = Object.fromEntries([...tarballs.keys()].filter((name) => name.startsWith('@hostgrid/')).map((name) => [name, file(name)]));
  await writeFile(manifestPath, JSON.stringify(manifest, null, 2));
  const installed = await npm(['install', '--no-audit', '--no-fund', '--prefer-offline']);
  expect(installed.code, explain(installed)).toBe(0);
}, 300_000);

afterAll(async () => {
  // Whatever outlived the test's commands (the leftover check failed, or a command timed
  // out) is ended here: local workers run in process groups of their own, which no kill of
  // npm's group reaches.
  for (const pid of await processesWithEnv('CREATE_HOSTGRID_TEST', mark)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Gone meanwhile.
    }
  }
  await tmp?.[Symbol.asyncDispose]();
});

describe('a scaffolded project', () => {
  it('runs with npm start: compiles, answers calls on local slots, exits 0 and leaves no process', async () => {
    const result = await npm(['start'], 120_000);
    expect(result.code, explain(result)).toBe(0);
    const answered = result.stdout.split('\n').filter((line) => line.startsWith('answered by '));
    const slots = Math.min(4, availableParallelism());
    // One broadcast call per slot, then two calls on one proxy.
    expect(answered, explain(result)).toHaveLength(slots + 2);
    const pids = new Set(answered.map((line) => /pid (\d+):/.exec(line)?.[1]));
    expect(pids.size).toBe(slots);
    expect(pids.has(undefined)).toBe(false);
    expect(result.stdout).toMatch(new RegExp(`^pi is about 3\\.\\d{4} \\(${slots + 2} calls, ${slots * 1_000_000 + 200_000} points\\)$`, 'm'));
    expect(await readdir(join(project, 'dist'))).toEqual(expect.arrayContaining(['controller.js', 'service.js']));
    expect(await processesWithEnv('CREATE_HOSTGRID_TEST', mark)).toEqual([]);
  }, 150_000);

  it.each(VARIANTS)('compiles with its $label block switched on ($packageName installed)', async (variant) => {
    const added = await npm(['install', '--no-audit', '--no-fund', '--prefer-offline', `file:${relative(project, tarballs.get(variant.packageName)!)}`]);
    expect(added.code, explain(added)).toBe(0);
    const controller = join(project, 'src', 'controller.ts');
    const original = await readFile(controller, 'utf8');
    try {
      await writeFile(controller, switchOn(original, variant));
      const compiled = await runCommand(join(project, 'node_modules', '.bin', 'tsc'), ['--noEmit', '-p', '.'], { cwd: project, env });
      expect(compiled.code, explain(compiled)).toBe(0);
    } finally {
      await writeFile(controller, original);
    }
  }, 300_000);
});
