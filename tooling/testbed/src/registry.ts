/**
 * A real npm registry on this machine: Verdaccio on 127.0.0.1, its storage in a temp
 * folder, for tests of what a user gets from `npm install`. Hostgrid's own package names
 * are served only from what was published to it (never fetched from anywhere else);
 * every other package is fetched through npm's configured registry, as a user's would be.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { TestbedError } from './errors.js';
import { ExitHookSet } from './lifecycle.js';
import { freePort, isGone, killHard, run } from './system.js';

/** Names served only from what was published to the registry. */
const OWN_PACKAGES = ['@hostgrid/*', 'create-hostgrid'];

/** A running registry; `await using` stops it and removes its storage. */
export interface TestRegistry extends AsyncDisposable {
  /** Its base URL, e.g. `http://127.0.0.1:41234/`. */
  readonly url: string;
  /** A temp folder of its own: config, storage, the npm user config and cache below. */
  readonly dir: string;
  /** The verdaccio process. */
  readonly pid: number;
  /**
   * The environment for an npm (or npx) that installs from this registry and publishes to
   * it: this process's less every `npm_config_*` it had, with npm's registry (the
   * `@hostgrid` scope's too), a user config holding a token for it, an empty global config
   * and a cache of its own, so that nothing stale from another run is used.
   */
  env(extra?: NodeJS.ProcessEnv): NodeJS.ProcessEnv;
  /** What the registry logged (warnings and errors), for a failing test's message. */
  readonly log: () => string;
}

/** Options of {@link startRegistry}. */
export interface StartRegistryOptions {
  /** How long it may take to answer its first request, in ms. @defaultValue 30000 */
  readonly startTimeoutMs?: number;
}

const live = new ExitHookSet<{ pid: number; dir: string }>((bed) => {
  if (!isGone(bed.pid)) killHard(bed.pid);
  rmSync(bed.dir, { recursive: true, force: true });
});

/**
 * Starts Verdaccio on a free port of 127.0.0.1 with a user `hostgrid` whose token is in
 * {@link TestRegistry.env}'s user config.
 *
 * @throws {@link TestbedError} when it does not answer in time or the user cannot be made
 *   (everything started is stopped first)
 */
export async function startRegistry(options: StartRegistryOptions = {}): Promise<TestRegistry> {
  const dir = mkdtempSync(join(tmpdir(), 'hostgrid-registry-'));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}/`;
  const uplink = (await run('npm', ['config', 'get', 'registry'])).stdout.trim();
  writeFileSync(join(dir, 'config.yaml'), verdaccioConfig(dir, uplink));
  const bin = join(dirname(createRequire(import.meta.url).resolve('verdaccio/package.json')), 'bin', 'verdaccio');
  const child = spawn(process.execPath, [bin, '--config', join(dir, 'config.yaml'), '--listen', `127.0.0.1:${port}`], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  const keep = (chunk: Buffer): void => {
    log = (log + chunk.toString('utf8')).slice(-64 * 1024);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const bed = { pid: child.pid!, dir };
  live.add(bed);
  const stop = async (): Promise<void> => {
    await stopChild(child);
    live.delete(bed);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await untilAnswers(url, child, options.startTimeoutMs ?? 30_000, () => log);
    const token = await addUser(url);
    const host = url.replace(/^http:/, '');
    writeFileSync(join(dir, 'npmrc'), `registry=${url}\n${host}:_authToken=${token}\n`, { mode: 0o600 });
    writeFileSync(join(dir, 'global-npmrc'), '');
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    url,
    dir,
    pid: child.pid!,
    log: () => log,
    env: (extra = {}) => ({
      ...withoutNpmConfig(process.env),
      npm_config_registry: url,
      'npm_config_@hostgrid:registry': url,
      npm_config_userconfig: join(dir, 'npmrc'),
      npm_config_globalconfig: join(dir, 'global-npmrc'),
      npm_config_cache: join(dir, 'npm-cache'),
      npm_config_update_notifier: 'false',
      npm_config_fund: 'false',
      npm_config_audit: 'false',
      ...extra,
    }),
    [Symbol.asyncDispose]: stop,
  };
}

/**
 * The environment without npm's own settings (`npm test` passes its config down as
 * `npm_config_*`), so that nothing of the caller's npm (a scoped registry, a global config)
 * can send an install or a publish anywhere but the test registry.
 */
function withoutNpmConfig(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(env).filter(([key]) => !/^npm_config_/i.test(key)));
}

function verdaccioConfig(dir: string, uplink: string): string {
  const own = OWN_PACKAGES.map((name) => `  '${name}':\n    access: $all\n    publish: $authenticated\n`).join('');
  return [
    `storage: ${JSON.stringify(join(dir, 'storage'))}`,
    'auth:',
    '  htpasswd:',
    `    file: ${JSON.stringify(join(dir, 'htpasswd'))}`,
    '    max_users: 10',
    'uplinks:',
    '  upstream:',
    `    url: ${JSON.stringify(uplink)}`,
    '    timeout: 60s',
    'packages:',
    own.trimEnd(),
    "  '**':",
    '    access: $all',
    '    publish: $authenticated',
    '    proxy: upstream',
    'log: { type: stdout, format: pretty, level: warn }',
    '',
  ].join('\n');
}

async function untilAnswers(url: string, child: ChildProcess, timeoutMs: number, log: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new TestbedError(`[testbed] verdaccio exited (${child.exitCode ?? child.signalCode}) before answering:\n${log()}`);
    }
    const answered = await fetch(new URL('-/ping', url)).then((response) => response.ok, () => false);
    if (answered) return;
    if (Date.now() > deadline) throw new TestbedError(`[testbed] verdaccio did not answer on ${url} within ${timeoutMs} ms:\n${log()}`);
    await sleep(100);
  }
}

/** Registers a user as `npm adduser` does, and returns its token. */
async function addUser(url: string): Promise<string> {
  const name = 'hostgrid';
  const response = await fetch(new URL(`-/user/org.couchdb.user:${name}`, url), {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name, password: 'hostgrid-test-only', email: 'test@example.invalid', type: 'user' }),
  });
  const body = (await response.json().catch(() => ({}))) as { token?: unknown };
  if (!response.ok || typeof body.token !== 'string') {
    throw new TestbedError(`[testbed] verdaccio refused to add a user: HTTP ${response.status} ${JSON.stringify(body)}`);
  }
  return body.token;
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const closed = new Promise<void>((resolve) => child.once('close', () => resolve()));
  child.kill('SIGTERM');
  const ended = await Promise.race([closed.then(() => true), sleep(5_000).then(() => false)]);
  if (!ended) {
    child.kill('SIGKILL');
    await closed;
  }
}
