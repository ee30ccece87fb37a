/**
 * The transport and staging conformance suites over `qrsh -inherit`, run inside an SGE
 * parallel job (submitted by `src/conformance.test.ts`): the grid's hosts are the job's,
 * read from PE_HOSTFILE, and every worker is a task of this job.
 */
import type { Transport } from '@hostgrid/core';
import { describeStagingConformance, describeTransportConformance, type ConformanceOptions } from '@hostgrid/core/testing/conformance';
import { isGone } from '@hostgrid/testbed';
import { sgeHosts, sgeTransport } from '../index.js';
import { jobTempDir } from './job-env.js';

const sge: ConformanceOptions<Transport> = {
  transport: (limits) => sgeTransport({ tempDir: jobTempDir(), ...limits }),
  hosts: sgeHosts(),
  // The worker runs on this machine (a single-node cell): a crash is a SIGKILL by pid.
  killWorker: (server) => {
    process.kill(server.pid, 'SIGKILL');
  },
  isRunning: (server) => !isGone(server.pid),
};

describeTransportConformance('sge (qrsh -inherit)', sge);
describeStagingConformance('sge (qrsh -inherit)', sge);
