/**
 * The Hostgrid worker runtime, the part that runs on every host: it loads the modules
 * the controller names, makes (or revives) the published instances, runs their calls
 * one at a time per service, and keeps the heartbeat. Transports normally start the
 * bundled `hostgrid-worker` process ({@link workerBundlePath}); a custom worker entry
 * can drive a session itself over any channel:
 *
 * @example
 * ```ts
 * import { createWorkerSession } from '@hostgrid/worker';
 *
 * const session = createWorkerSession({
 *   send: (frame) => channel.send(frame),
 *   close: () => channel.close(),
 * });
 * channel.onFrame((frame) => session.receive(frame));
 * channel.onClose(() => session.disconnected());
 * const end = await session.ended; // { reason: 'shutdown' | 'disconnected' | 'watchdog' | … }
 * ```
 *
 * @packageDocumentation
 */
export {
  createWorkerSession,
  type WorkerPort,
  type WorkerSession,
  type WorkerSessionOptions,
  type SessionEnd,
} from './session.js';
export { WorkerExitCode, exitCodeFor } from './exit-codes.js';
export { workerBundlePath } from './bundle-path.js';
