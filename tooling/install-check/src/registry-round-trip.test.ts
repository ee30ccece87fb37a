import { readFileSync, readdirSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { startRegistry, type TestRegistry } from '@hostgrid/testbed';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, freshFolder, runIn, start, within } from './fresh-folder.js';

/** Every package of the monorepo that is published, with its version. */
function publishedPackages(): Array<{ name: string; version: string }> {
  return ['packages', 'apps', 'tooling'].flatMap((group) =>
    readdirSync(join(REPO_ROOT, group))
      .map((folder) => join(REPO_ROOT, group, folder, 'package.json'))
      .filter((file) => existsSync(file))
      .map((file) => JSON.parse(readFileSync(file, 'utf8')) as { name: string; version: string; private?: boolean })
      .filter((manifest) => manifest.private !== true)
      .map(({ name, version }) => ({ name, version })),
  );
}

let registry: TestRegistry;
let env: NodeJS.ProcessEnv;
let tagsBefore: string;

beforeAll(async () => {
  registry = await startRegistry();
  env = registry.env();
  // The release tool, as a release would run it (the packages were built by `npm test`),
  // but making no git tags: this is no release.
  tagsBefore = (await runIn(REPO_ROOT, env, 'git', ['tag', '--list'])).stdout;
  for (const scope of ['registry', '@hostgrid:registry']) {
    expect((await runIn(REPO_ROOT, env, 'npm', ['config', 'get', scope])).stdout.trim(), scope).toBe(registry.url);
  }
  const published = await runIn(REPO_ROOT, env, 'npx', ['changeset', 'publish', '--no-git-tag'], 240_000);
  console.log(published.stdout.split('\n').filter((line) => /published|error/i.test(line)).join('\n'));
});

afterAll(async () => {
  await registry?.[Symbol.asyncDispose]();
});

describe('Hostgrid from a registry, in fresh folders outside the monorepo', () => {
  it('published without touching the repository: no git tag was made', async () => {
    expect((await runIn(REPO_ROOT, env, 'git', ['tag', '--list'])).stdout).toBe(tagsBefore);
  });

  it('has every package of the monorepo that is not private, at its version', async () => {
    const expected = publishedPackages();
    expect(expected.map((p) => p.name)).toEqual(expect.arrayContaining(['@hostgrid/core', '@hostgrid/transport-local', '@hostgrid/demo', '@hostgrid/worker']));
    for (const { name, version } of expected) {
      const { stdout } = await runIn(REPO_ROOT, env, 'npm', ['view', `${name}@${version}`, 'version']);
      expect(stdout.trim(), name).toBe(version);
    }
  });

  it('runs a two-file JavaScript app with only @hostgrid/core and @hostgrid/transport-local installed', async () => {
    using app = freshFolder('js-app');
    await runIn(app.path, env, 'npm', ['init', '-y']);
    await runIn(app.path, env, 'npm', ['install', '@hostgrid/core', '@hostgrid/transport-local']);
    const installed = readdirSync(join(app.path, 'node_modules', '@hostgrid')).sort();
    expect(installed).toEqual(['core', 'protocol', 'staging', 'transport-local', 'worker']);
    const { stdout } = await runIn(app.path, env, 'node', ['main.mjs'], 60_000);
    const { id, answers } = JSON.parse(stdout.trim()) as { id: string; answers: Array<{ count: number; pid: number }> };
    expect(id).toBe('Counter.1');
    expect(answers.map((a) => a.count)).toEqual([5, 5]);
    expect(new Set(answers.map((a) => a.pid)).size).toBe(2);
  });

  it('type-checks and runs a two-file TypeScript app against the published types', async () => {
    using app = freshFolder('ts-app');
    writeFileSync(join(app.path, 'package.json'), JSON.stringify({ name: 'ts-app', private: true, type: 'module' }));
    await runIn(app.path, env, 'npm', ['install', '@hostgrid/core', '@hostgrid/transport-local', 'typescript@~5.9.3', '@types/node@^20.19.0']);
    await runIn(app.path, env, 'npx', ['tsc', '-p', 'tsconfig.json']);
    const { stdout } = await runIn(app.path, env, 'node', ['dist/main.js'], 60_000);
    expect(JSON.parse(stdout.trim())).toEqual({ id: 'Scanner.1', squares: [1, 4, 9] });
  });

  it('runs the demo with npx', async () => {
    using place = freshFolder();
    const out = join(place.path, 'out');
    const { stdout } = await runIn(place.path, env, 'npx', ['--yes', '@hostgrid/demo', '--replicas', '2', '--rounds', '4', '--sweeps', '2', '--size', '8', '--out', out]);
    expect(stdout).toContain('servers used: 2');
    const result = JSON.parse(readFileSync(join(out, 'result.json'), 'utf8')) as { config: { replicas: number } };
    expect(result.config.replicas).toBe(2);
  });

  it('has a grid use a WebSocket host agent run from the registry by its scoped name', async () => {
    using app = freshFolder('ws-app');
    using agentPlace = freshFolder();
    await runIn(app.path, env, 'npm', ['init', '-y']);
    await runIn(app.path, env, 'npm', ['install', '@hostgrid/core', '@hostgrid/transport-ws']);
    const tokenFile = join(app.path, 'token');
    writeFileSync(tokenFile, 'a-test-token-of-enough-length-0123456789\n', { mode: 0o600 });
    await using controller = start(app.path, env, 'node', ['main.mjs', tokenFile]);
    const { url } = await controller.line<{ url: string }>('url', 30_000);
    await using agent = start(agentPlace.path, env, 'npx', ['--yes', '@hostgrid/cli', 'agent', '--connect', url, '--host', 'agent-host', '--slots', '1', '--token-file', tokenFile, '--retry-for', '5']);
    // Every wait below is bounded, and together they end before the test's time-out, so the
    // disposals always run.
    const { answer } = await controller.line<{ answer: string }>('answer', 120_000).catch((error: Error) => {
      throw new Error(`${error.message}\n--- agent:\n${agent.output()}`);
    });
    expect(answer).toMatch(/^over ws from \d+$/);
    expect(await within(controller.exited, 30_000, 'the controller to exit')).toBe(0);
    // An agent outlives its grid (it waits for the next controller) until it is stopped.
    agent.signal('SIGTERM');
    await within(agent.exited, 30_000, 'the agent to exit on SIGTERM');
    expect(agent.output()).toContain('joined');
  });

  it('scaffolds a project with npm create hostgrid, which runs with npm start after npm install', async () => {
    using place = freshFolder();
    const created = await runIn(place.path, env, 'npm', ['create', '--yes', 'hostgrid@latest', 'my-grid']);
    expect(created.stdout).toContain('my-grid');
    const project = join(place.path, 'my-grid');
    await runIn(project, env, 'npm', ['install']);
    const { stdout } = await runIn(project, env, 'npm', ['start'], 120_000);
    expect(stdout).toMatch(/answered by/);
  });
});
