import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadCheckOptions, parseCheckArgs, type CheckCommand } from './check-args.js';
import { scratch } from './fixtures/scratch.js';

const ENV = { USER: 'alice', HOME: '/home/alice' };

function parsed(args: string[], env: NodeJS.ProcessEnv = ENV): Exclude<CheckCommand, { help: true }> {
  const command = parseCheckArgs(args, env);
  if (command.help) throw new Error('expected options, got --help');
  return command;
}

describe('hostgrid check command line', () => {
  it('fills in the defaults: $USER, port 22, ~/.ssh/known_hosts, node, 1 slot, 5 s to connect, 30 s a step', () => {
    expect(parsed(['h1'])).toEqual({
      help: false,
      hostsFiles: [],
      targets: [{ name: 'h1', address: 'h1' }],
      user: 'alice',
      port: 22,
      knownHosts: '/home/alice/.ssh/known_hosts',
      slots: 1,
      node: 'node',
      connectTimeoutMs: 5000,
      stepTimeoutMs: 30_000,
    });
  });

  it('takes the demo-shaped --hosts list, the SSH options and the host settings', () => {
    const command = parsed([
      'root@h0=10.0.0.10:2222',
      '--hosts', 'h1,h2=10.0.0.12',
      '--user', 'bob', '-i', '/keys/id', '--known-hosts', '/keys/kh', '--port', '2200',
      '--connect-timeout', '1.5', '--timeout', '10', '--node', '/opt/node/bin/node', '--temp-path', '/scratch/hg', '--slots', '4',
    ], { ...ENV, SSH_AUTH_SOCK: '/run/agent.sock' });
    expect(command.targets).toEqual([
      { name: 'h0', address: '10.0.0.10', user: 'root', port: 2222 },
      { name: 'h1', address: 'h1' },
      { name: 'h2', address: '10.0.0.12' },
    ]);
    expect(command).toMatchObject({ user: 'bob', key: '/keys/id', agent: '/run/agent.sock', knownHosts: '/keys/kh', port: 2200, connectTimeoutMs: 1500, stepTimeoutMs: 10_000, node: '/opt/node/bin/node', tempPath: '/scratch/hg', slots: 4 });
    expect(parsed(['h1', '--identity', '/keys/id2']).key).toBe('/keys/id2');
  });

  it.each([
    [['h1', '--frobnicate=hunter2'], 'check: unknown option --frobnicate'],
    [['h1', '-x'], 'check: unknown option -x'],
    [['h1', '--key'], 'check: --key needs a value'],
    [['h1', '--help=yes'], 'check: --help takes no value'],
    [['h1', '--key', '/a', '--identity', '/b'], '--key and --identity are the same option'],
    [['h1', '--port', '70000'], '--port must be a whole number from 1 to 65535'],
    [['h1', '--slots', '0'], '--slots must be a whole number from 1 to 64'],
    [['h1', '--connect-timeout', 'soon'], '--connect-timeout must be a positive number of seconds'],
    [['h1', '--temp-path', 'relative/dir'], '--temp-path must be an absolute path'],
    [['h1', '--node', ' '], '--node needs a path'],
    [['root@@h1'], 'bad host "root@@h1"'],
    [['--hosts', 'h1,,h2'], 'bad host "" (--hosts)'],
  ])('refuses %j, naming the option or host', (args, message) => {
    expect(() => parseCheckArgs(args, ENV)).toThrow(message);
  });

  it('never echoes the value of an unknown option', () => {
    expect(() => parseCheckArgs(['h1', '--passphrase=hunter2'], ENV)).toThrow(expect.objectContaining({ name: 'CliUsageError', message: expect.not.stringContaining('hunter2') }));
  });

  it('reads hosts files after the other hosts, and refuses a missing one or a host given twice', async () => {
    await using dir = await scratch();
    const file = join(dir.path, 'hosts');
    await writeFile(file, 'h2=10.0.0.12\n# h3\nroot@h4=10.0.0.14\n');
    const options = await loadCheckOptions(parsed(['h1', '--hosts-file', file]));
    expect(options.targets.map((target) => target.name)).toEqual(['h1', 'h2', 'h4']);
    expect(options).not.toHaveProperty('hostsFiles');
    await expect(loadCheckOptions(parsed(['--hosts-file', join(dir.path, 'missing')]))).rejects.toThrow(`cannot read --hosts-file ${join(dir.path, 'missing')}`);
    await expect(loadCheckOptions(parsed(['h2', '--hosts-file', file]))).rejects.toThrow('host "h2" is given twice');
    await expect(loadCheckOptions(parsed([]))).rejects.toThrow('no hosts to check');
  });
});
