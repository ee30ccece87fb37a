/**
 * Hostgrid inside a Sun Grid Engine parallel job: the job's hosts from `PE_HOSTFILE`, one
 * worker per slot started as a task of the job with `qrsh -inherit`, frames over qrsh's
 * stdin and stdout.
 *
 * @example
 * ```ts
 * // my-grid.js, submitted with: qsub -pe smp 8 -cwd -b y node my-grid.js
 * import { Grid } from '@hostgrid/core';
 * import { sgeHosts, sgeTransport } from '@hostgrid/launcher-sge';
 *
 * await using grid = await Grid.start({ hosts: sgeHosts(), transport: sgeTransport(), sharedTempPath: `${process.cwd()}/.hostgrid` });
 * ```
 *
 * @packageDocumentation
 */
export { sgeTransport, type SgeTransportOptions } from './sge-transport.js';
export { sgeHosts } from './sge-hosts.js';
export { parsePeHostfile, type PeHostfileEntry } from './pe-hostfile.js';
export { PeHostfileError, SgeJobError } from './errors.js';
