/**
 * A private SGE cell for one test bed: its own bootstrap, spool (classic, flat files),
 * global configuration, queue and parallel environment, all inside the test bed's temp
 * dir, reached through `$SGE_ROOT/<cell>` (a symlink). The packages' `default` cell and
 * anything else on the machine are never touched, so removing the dir and the symlink
 * leaves the machine as it was found.
 */
import { chmod, chown, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runSgeOk } from './sge-commands.js';
import type { SgeInfrastructure } from './sge-infrastructure.js';

/** The daemons' user (Debian's packages create it). */
export const ADMIN_USER = 'sgeadmin';
/** The queue and parallel environment every test bed has. */
export const QUEUE = 'all.q';
export const PE = 'smp';

/** What a cell is made from. */
export interface CellPlan {
  /** The cell's name (`SGE_CELL`) and its folder in the test bed's dir. */
  readonly cell: string;
  readonly dir: string;
  readonly hostname: string;
  readonly aliases: readonly string[];
  /** Slots of the one queue instance. */
  readonly slots: number;
  /** The supplementary group ids SGE tags this cell's job processes with: `[first, last]`. */
  readonly gidRange: readonly [number, number];
}

/** Paths inside a test bed's dir. */
export function cellPaths(dir: string): { common: string; qmasterSpool: string; execdSpool: string; jobTmp: string; templates: string } {
  return {
    common: join(dir, 'cell', 'common'),
    qmasterSpool: join(dir, 'qmaster'),
    execdSpool: join(dir, 'execd'),
    jobTmp: join(dir, 'tmp'),
    templates: join(dir, 'templates'),
  };
}

function replaceSetting(text: string, name: string, value: string): string {
  const line = new RegExp(`^${name}\\s.*$`, 'm');
  if (!line.test(text)) return `${text.trimEnd()}\n${name} ${value}\n`;
  return text.replace(line, `${name} ${value}`);
}

/** Looks up the numeric uid/gid of the admin user, as the daemons will switch to it. */
async function adminIds(): Promise<{ uid: number; gid: number }> {
  const passwd = await readFile('/etc/passwd', 'utf8');
  const entry = passwd.split('\n').find((line) => line.startsWith(`${ADMIN_USER}:`));
  const [, , uid, gid] = entry?.split(':') ?? [];
  if (uid === undefined || gid === undefined) throw new Error(`no user "${ADMIN_USER}" in /etc/passwd (gridengine-common creates it)`);
  return { uid: Number(uid), gid: Number(gid) };
}

/**
 * Writes the cell's bootstrap, `act_qmaster` and `host_aliases`, and initialises its
 * spool with SGE's own tools (`spoolinit`, `spooldefaults`), before any daemon runs:
 * global configuration (root may run jobs, per-job temp dirs and the execd spool inside
 * the test bed, accounting flushed at once), complexes, usersets, managers, and this
 * machine as admin and submit host. `env` must name the cell (`SGE_ROOT`, `SGE_CELL`).
 */
export async function makeCell(infra: SgeInfrastructure, plan: CellPlan, env: Readonly<Record<string, string>>): Promise<void> {
  const paths = cellPaths(plan.dir);
  await Promise.all([paths.common, paths.qmasterSpool, paths.execdSpool, paths.jobTmp, join(paths.templates, 'adminhosts'), join(paths.templates, 'submithosts')].map((path) => mkdir(path, { recursive: true })));
  // Per-job temp dirs are made by the execd as the job's owner: it must reach them.
  await chmod(plan.dir, 0o755);
  await chmod(paths.jobTmp, 0o1777);
  const spoolParams = `${paths.common};${paths.qmasterSpool}`;
  const bootstrap = [
    ['admin_user', ADMIN_USER],
    ['default_domain', 'none'],
    ['ignore_fqdn', 'false'],
    ['spooling_method', 'classic'],
    ['spooling_lib', 'libspoolc'],
    ['spooling_params', spoolParams],
    ['binary_path', '/usr/sbin'],
    ['qmaster_spool_dir', paths.qmasterSpool],
    ['security_mode', 'none'],
    ['listener_threads', '2'],
    ['worker_threads', '2'],
    ['scheduler_threads', '1'],
  ];
  await writeFile(join(paths.common, 'bootstrap'), `${bootstrap.map(([name, value]) => `${name!.padEnd(24)}${value}`).join('\n')}\n`);
  await writeFile(join(paths.common, 'act_qmaster'), `${plan.hostname}\n`);
  await writeFile(join(paths.common, 'host_aliases'), plan.aliases.length > 0 ? `${plan.hostname} ${plan.aliases.join(' ')}\n` : '');
  let configuration = await readFile(infra.defaults.configuration, 'utf8');
  for (const [name, value] of [
    ['execd_spool_dir', paths.execdSpool],
    ['min_uid', '0'],
    ['min_gid', '0'],
    ['gid_range', `${plan.gidRange[0]}-${plan.gidRange[1]}`],
    ['mailer', '/bin/true'],
    ['load_report_time', '00:00:05'],
    ['reporting_params', 'accounting=true reporting=false flush_time=00:00:01 joblog=false sharelog=00:00:00 accounting_flush_time=00:00:00'],
  ] as const) {
    configuration = replaceSetting(configuration, name, value);
  }
  await writeFile(join(paths.templates, 'configuration'), configuration);
  await writeFile(join(paths.templates, 'adminhosts', plan.hostname), `hostname ${plan.hostname}\n`);
  await writeFile(join(paths.templates, 'submithosts', plan.hostname), `hostname ${plan.hostname}\n`);

  const options = { env, cwd: plan.dir };
  await runSgeOk('initialising the SGE spool', infra.spoolinit, ['classic', 'libspoolc', spoolParams, 'init'], options);
  const defaults = (what: string, args: readonly string[]): Promise<string> => runSgeOk(`creating the SGE ${what}`, infra.spooldefaults, args, options);
  await defaults('global configuration', ['configuration', join(paths.templates, 'configuration')]);
  await defaults('complexes', ['complexes', infra.defaults.complexes]);
  await defaults('usersets', ['usersets', infra.defaults.usersets]);
  await defaults('managers', ['managers', 'root', ADMIN_USER]);
  await defaults('admin host', ['adminhosts', join(paths.templates, 'adminhosts')]);
  await defaults('submit host', ['submithosts', join(paths.templates, 'submithosts')]);
  // The daemons run as the admin user and write their spools.
  const { uid, gid } = await adminIds();
  await chownTree([join(plan.dir, 'cell'), paths.qmasterSpool, paths.execdSpool], uid, gid);
}

async function chownTree(roots: readonly string[], uid: number, gid: number): Promise<void> {
  const walk = async (path: string): Promise<void> => {
    await chown(path, uid, gid);
    for (const entry of await readdir(path, { withFileTypes: true })) {
      if (entry.isDirectory()) await walk(join(path, entry.name));
      else await chown(join(path, entry.name), uid, gid);
    }
  };
  for (const root of roots) await walk(root);
}

/**
 * Configures the running qmaster: a 1 s scheduler (SGE's default waits 15 s), the
 * parallel environment `smp` (`control_slaves TRUE`, so `qrsh -inherit` may start tasks;
 * `job_is_first_task FALSE`, so a job of N slots may start N tasks besides its script),
 * this machine as execution host, and the queue `all.q` with `plan.slots` slots, no load
 * thresholds (a busy test machine must not hold jobs back) and per-job temp dirs inside
 * the test bed. The queue is made with `qconf -aq` and a sed script as `EDITOR`, as an
 * administrator without a terminal would.
 */
export async function configureCell(infra: SgeInfrastructure, plan: CellPlan, env: Readonly<Record<string, string>>): Promise<void> {
  const paths = cellPaths(plan.dir);
  const options = { env, cwd: plan.dir };
  const qconf = join(infra.bin, 'qconf');
  const schedule = await runSgeOk('reading the scheduler configuration', qconf, ['-ssconf'], options);
  let sconf = schedule;
  for (const [name, value] of [
    ['schedule_interval', '0:0:1'],
    ['flush_submit_sec', '1'],
    ['flush_finish_sec', '1'],
    ['job_load_adjustments', 'NONE'],
  ] as const) {
    sconf = replaceSetting(sconf, name, value);
  }
  await writeFile(join(paths.templates, 'sconf'), sconf);
  await runSgeOk('setting the scheduler interval', qconf, ['-Msconf', join(paths.templates, 'sconf')], options);
  const pe = [
    `pe_name ${PE}`,
    'slots 999',
    'user_lists NONE',
    'xuser_lists NONE',
    'start_proc_args NONE',
    'stop_proc_args NONE',
    'allocation_rule $pe_slots',
    'control_slaves TRUE',
    'job_is_first_task FALSE',
    'urgency_slots min',
    'accounting_summary FALSE',
    'qsort_args NONE',
  ];
  await writeFile(join(paths.templates, 'pe'), `${pe.join('\n')}\n`);
  await runSgeOk(`adding the parallel environment ${PE}`, qconf, ['-Ap', join(paths.templates, 'pe')], options);
  const exechost = [`hostname ${plan.hostname}`, 'load_scaling NONE', 'complex_values NONE', 'user_lists NONE', 'xuser_lists NONE', 'projects NONE', 'xprojects NONE', 'usage_scaling NONE', 'report_variables NONE'];
  await writeFile(join(paths.templates, 'exechost'), `${exechost.join('\n')}\n`);
  await runSgeOk(`adding ${plan.hostname} as execution host`, qconf, ['-Ae', join(paths.templates, 'exechost')], options);
  const sed = [
    `s|^qname .*|qname ${QUEUE}|`,
    `s|^hostlist .*|hostlist ${plan.hostname}|`,
    `s|^slots .*|slots ${plan.slots}|`,
    `s|^pe_list .*|pe_list ${PE}|`,
    's|^load_thresholds .*|load_thresholds NONE|',
    `s|^tmpdir .*|tmpdir ${paths.jobTmp}|`,
    's|^shell .*|shell /bin/sh|',
  ];
  const script = join(paths.templates, 'queue.sed');
  const editor = join(paths.templates, 'queue-editor');
  await writeFile(script, `${sed.join('\n')}\n`);
  // qconf runs $EDITOR as one program with the file as its argument: a script, not a command line.
  await writeFile(editor, `#!/bin/sh\nexec sed -i -f '${script}' "$@"\n`, { mode: 0o755 });
  await runSgeOk(`adding the queue ${QUEUE}`, qconf, ['-aq'], { ...options, env: { ...env, EDITOR: editor } });
}
