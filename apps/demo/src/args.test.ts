import { describe, expect, it } from 'vitest';
import { DEFAULT_OUT, USAGE, UsageError, parseCliArgs } from './args.js';
import { DEFAULT_CONFIG } from './config.js';

describe('parseCliArgs', () => {
  it('fills in the defaults', () => {
    expect(parseCliArgs([])).toEqual({
      help: false,
      config: DEFAULT_CONFIG,
      transport: 'local',
      hosts: [{ name: 'local', slots: DEFAULT_CONFIG.replicas }],
      ssh: { acceptNewHostKeys: false },
      sequential: false,
      display: false,
      out: DEFAULT_OUT,
    });
  });

  it('reads every model and output flag', () => {
    const cli = parseCliArgs([
      '--replicas', '6', '--rounds', '7', '--sweeps', '3', '--size', '8', '--tmin', '1.5', '--tmax=4',
      '--seed', '0', '--transport', 'local', '--out', 'out', '--display',
    ]);
    expect(cli).toEqual({
      help: false,
      config: { replicas: 6, rounds: 7, sweeps: 3, size: 8, tmin: 1.5, tmax: 4, seed: 0 },
      transport: 'local',
      hosts: [{ name: 'local', slots: 6 }],
      ssh: { acceptNewHostKeys: false },
      sequential: false,
      display: true,
      out: 'out',
    });
    expect(parseCliArgs(['--sequential']).sequential).toBe(true);
  });

  it('reads the SSH flags and name=address hosts', () => {
    const cli = parseCliArgs([
      '--transport', 'ssh', '--hosts', 'n1,n2=10.0.0.2', '--slots', '3', '--user', 'alice', '--key', '/k',
      '--known-hosts', '/kh', '--port', '2222', '--connect-timeout', '2.5', '--accept-new-host-keys',
    ]);
    expect(cli.transport).toBe('ssh');
    expect(cli.config.replicas).toBe(6);
    expect(cli.hosts).toEqual([{ name: 'n1', slots: 3 }, { name: 'n2', address: '10.0.0.2', slots: 3 }]);
    expect(cli.ssh).toEqual({ user: 'alice', key: '/k', knownHosts: '/kh', port: 2222, connectTimeoutMs: 2500, acceptNewHostKeys: true });
  });

  it('reads the WebSocket flags, with defaults', () => {
    const plain = parseCliArgs(['--transport', 'ws', '--hosts', 'a,b']);
    expect(plain.ws).toEqual({ host: '0.0.0.0', port: 7000, joinTimeoutMs: 300_000 });
    const cli = parseCliArgs([
      '--transport', 'ws', '--hosts', 'a,b', '--listen', '[::1]:0', '--token-file', '/t',
      '--tls-cert', '/c.pem', '--tls-key', '/k.pem', '--join-timeout', '2.5',
    ]);
    expect(cli.ws).toEqual({ host: '::1', port: 0, tokenFile: '/t', tls: { cert: '/c.pem', key: '/k.pem' }, joinTimeoutMs: 2500 });
    expect(parseCliArgs([]).ws).toBeUndefined();
  });

  it('splits replicas over hosts, or takes hosts x slots', () => {
    expect(parseCliArgs(['--hosts', 'a,b']).hosts).toEqual([{ name: 'a', slots: 2 }, { name: 'b', slots: 2 }]);
    expect(parseCliArgs(['--hosts', 'a,b', '--slots', '3']).config.replicas).toBe(6);
    expect(parseCliArgs(['--hosts', 'a,b', '--slots', '3', '--replicas', '6']).hosts).toHaveLength(2);
    expect(parseCliArgs(['--slots', '5']).config.replicas).toBe(5);
  });

  it('reads --launcher: no hosts until the allocation is read, replicas as given (or the default) to be checked against it', () => {
    const cli = parseCliArgs(['--launcher', 'slurm', '--rounds', '3']);
    expect(cli.launcher).toEqual({ name: 'slurm' });
    expect(cli.hosts).toEqual([]);
    expect(cli.config.replicas).toBe(DEFAULT_CONFIG.replicas);
    expect(parseCliArgs(['--launcher', 'sge', '--replicas', '6', '--shared-temp', '/shared/tmp']).launcher).toEqual({ name: 'sge', replicas: 6, sharedTemp: '/shared/tmp' });
  });

  it('reads --sbatch: nodes x slots replicas, --wait', () => {
    const cli = parseCliArgs(['--launcher', 'slurm', '--sbatch', '--nodes', '3', '--slots', '2', '--wait']);
    expect(cli.launcher).toEqual({ name: 'slurm', sbatch: { nodes: 3, slotsPerNode: 2, wait: true } });
    expect(cli.config.replicas).toBe(6);
    expect(parseCliArgs(['--launcher', 'slurm', '--sbatch', '--nodes', '2', '--replicas', '8']).launcher?.sbatch).toEqual({ nodes: 2, slotsPerNode: 4, wait: false });
    expect(parseCliArgs(['--launcher', 'slurm', '--sbatch']).launcher?.sbatch).toEqual({ nodes: 1, slotsPerNode: DEFAULT_CONFIG.replicas, wait: false });
  });

  it.each([
    [['--launcher', 'slurm', '--transport', 'ssh'], '--launcher slurm starts the workers itself: it takes no --transport'],
    [['--launcher', 'slurm', '--hosts', 'a'], 'it takes no --hosts'],
    [['--launcher', 'slurm', '--slots', '2'], 'takes the slots from the allocation (SLURM_TASKS_PER_NODE): it takes no --slots'],
    [['--launcher', 'sge', '--slots', '2'], 'takes the slots from the allocation (PE_HOSTFILE)'],
    [['--launcher', 'slurm', '--sequential'], '--sequential runs in this process: it takes no --launcher'],
    [['--launcher', 'slurm', '--shared-temp', 'rel'], '--shared-temp must be an absolute path'],
    [['--launcher', 'slurm', '--nodes', '2'], '--nodes goes with --sbatch'],
    [['--launcher', 'slurm', '--wait'], '--wait goes with --sbatch'],
    [['--launcher', 'sge', '--sbatch'], '--sbatch submits to SLURM: it goes with --launcher slurm, not sge'],
    [['--launcher', 'slurm', '--sbatch', '--live'], '--sbatch runs the demo on a node later: it takes no live view'],
    [['--launcher', 'slurm', '--sbatch', '--nodes', '3', '--replicas', '4'], '4 replicas do not split evenly over 3 nodes'],
    [['--shared-temp', '/x'], '--shared-temp goes with --launcher'],
    [['--transport', 'sge'], 'sge is a launcher, not a transport: inside an allocation use --launcher sge'],
  ])('refuses %j', (args, message) => {
    expect(() => parseCliArgs(args)).toThrow(expect.objectContaining({ name: 'UsageError', message: expect.stringContaining(message) }));
  });

  it('reads the live view flags; --live-port and --live-hold-ms imply --live', () => {
    expect(parseCliArgs(['--live']).live).toEqual({ port: 0, holdMs: 0 });
    expect(parseCliArgs(['--live-port', '8123']).live).toEqual({ port: 8123, holdMs: 0 });
    expect(parseCliArgs(['--live', '--live-hold-ms', '500']).live).toEqual({ port: 0, holdMs: 500 });
    expect(parseCliArgs([]).live).toBeUndefined();
  });

  it('recognises --help and -h', () => {
    expect(parseCliArgs(['--help']).help).toBe(true);
    expect(parseCliArgs(['-h']).help).toBe(true);
    for (const flag of ['--replicas', '--transport', '--hosts', '--slots', '--key', '--port', '--live', '--live-port', '--out']) {
      expect(USAGE).toContain(flag);
    }
  });

  it.each([
    [['--bogus'], /unknown option '--bogus'/],
    [['--replicas'], /argument missing/],
    [['--replicas', 'four'], /--replicas must be a whole number from 2 to 256, got "four"/],
    [['--replicas', '1'], /--replicas/],
    [['--rounds', '0'], /--rounds must be a whole number at least 1/],
    [['--sweeps', '2.5'], /--sweeps/],
    [['--size', '1'], /--size/],
    [['--tmin', '0'], /--tmin must be a positive number, got "0"/],
    [['--tmin=-1'], /--tmin must be a positive number, got "-1"/],
    [['--tmax', 'hot'], /--tmax must be a positive number/],
    [['--tmin', '3', '--tmax', '2'], /--tmax \(2\) must not be lower than --tmin \(3\)/],
    [['--seed', '4294967296'], /--seed/],
    [['--listen', '0.0.0.0:7000'], /--listen is only for --transport ws/],
    [['--transport', 'ws', '--listen', '7000'], /--listen needs HOST:PORT/],
    [['--transport', 'ws', '--listen', 'h:70000'], /--listen needs HOST:PORT/],
    [['--transport', 'ws', '--tls-cert', 'c.pem'], /--tls-cert and --tls-key go together/],
    [['--transport', 'ws', '--join-timeout', '0'], /--join-timeout must be a positive number of seconds/],
    [['--transport', 'ws', '--hosts', 'a=10.0.0.1'], /name=address is only for --transport ssh/],
    [['--transport', 'carrier-pigeon'], /unknown transport "carrier-pigeon"/],
    [['--transport', 'ssh'], /--transport ssh needs --hosts/],
    [['--hosts', ''], /--hosts needs at least one host/],
    [['--hosts', 'a,,b'], /--hosts has an empty entry/],
    [['--hosts', 'a,a'], /lists "a" twice/],
    [['--hosts', 'a b'], /"a b" is not a host name/],
    [['--hosts', 'a=10.0.0.1'], /name=address is only for --transport ssh/],
    [['--hosts', 'a,b,c'], /4 replicas do not split evenly over 3 hosts; give --slots/],
    [['--hosts', 'a,b', '--slots', '3', '--replicas', '4'], /--replicas 4 does not match 2 hosts x 3 slots = 6 servers/],
    [['--slots', '1'], /1 host x 1 slot = 1 servers; replica exchange needs 2 to 256/],
    [['--slots', '0'], /--slots must be a whole number from 1 to 256/],
    [['--user', 'alice'], /--user is only for --transport ssh/],
    [['--port', '22'], /--port is only for --transport ssh/],
    [['--transport', 'ssh', '--hosts', 'h', '--port', '70000'], /--port must be a whole number from 1 to 65535/],
    [['--transport', 'ssh', '--hosts', 'h', '--connect-timeout', '0'], /--connect-timeout must be a positive number/],
    [['--live-port=-1'], /--live-port must be a whole number from 0 to 65535/],
    [['--live-hold-ms', 'soon'], /--live-hold-ms must be a whole number/],
    [['--sequential', '--live'], /--sequential runs in this process, without a grid: it takes no --live/],
    [['--sequential', '--hosts', 'a,b'], /it takes no --hosts/],
    [['--out', ' '], /--out needs a folder name/],
    [['positional'], /unexpected argument 'positional'/],
    [['--display=yes'], /--display/],
  ])('refuses %j with a one-line message', (argv, message) => {
    expect(() => parseCliArgs(argv)).toThrow(UsageError);
    expect(() => parseCliArgs(argv)).toThrow(message);
    try {
      parseCliArgs(argv);
    } catch (error) {
      expect((error as Error).message).not.toContain('\n');
    }
  });
});
