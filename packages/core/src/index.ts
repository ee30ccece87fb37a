/**
 * Hostgrid's grid: put copies of an object onto many hosts and call them as if they
 * were local. Hosts are reached through a transport (`@hostgrid/transport-local`, …).
 *
 * @example
 * ```ts
 * import { Grid, registerClass } from '@hostgrid/core';
 * import { localTransport } from '@hostgrid/transport-local';
 *
 * export class Counter { n = 0; add(k: number) { return (this.n += k); } }
 * registerClass(Counter, import.meta.url);
 *
 * await using grid = await Grid.start({ hosts: [{ name: 'local', slots: 2 }], transport: localTransport() });
 * const id = await grid.publish(new Counter());
 * const counter = await grid.acquireService<Counter>(id);
 * counter.add(1);
 * console.log(await counter.add(2)); // 3: calls on one proxy run in order
 * grid.releaseService(counter);
 * ```
 *
 * @packageDocumentation
 */
export { Grid, type GridOptions, type GridCallOptions, type ServiceId, type TerminateOptions } from './grid.js';
export type { PublishOptions, RestartPolicy, RetryPolicy } from './policies.js';
export { CallOptions, callOptions, type CallOptionsInit } from './call-options.js';
export type { CopyOptions, CopyReport, HostCopyReport, StagingProgressEvent } from './staging-area.js';
export { localHostFiles } from './local-files.js';
export { streamChannel, type StreamChannelOptions, type StreamProcess } from './stream-channel.js';
export { LiveWorkers, type LiveWorker } from './live-workers.js';
export { LaunchedChannel, type LaunchedChannelOptions } from './launched-channel.js';
export { shellQuote, type WorkerCommand, workerCommand, type WorkerCommandOptions, workerInvocation, workerScriptPrelude } from './worker-command.js';
export type { PublishSpec } from './publish-target.js';
export { registerClass, type ClassLocation } from './class-registry.js';
export { Result } from './result.js';
export { MapChunkError, MapFailure, type MapEntry, type MapOptions, type MapProgress, type MapProgressEvent, type MapResults } from './map/map-options.js';
export type { ServiceProxy } from './proxy.js';
export type { AcquireOptions } from './server-pool.js';
export type { RemoveHostOptions } from './host-removal.js';
export type { Logger, LogMethod, LogFields, LogLevel } from './grid-log.js';
export type { HeartbeatOptions } from './worker-link.js';
export { checkDurationMs } from './timeout.js';
export type { GridEvents, ServerInfo, OutputEvent, CallEvent, HostInfo, UnobservedFailure } from './events.js';
export { MAX_OUTPUT_LINE_LENGTH } from './output-lines.js';
export { type HostSpec, type ResolvedHost, resolveHosts } from './host-spec.js';
export type { Transport, Channel, ChannelHandlers, ChannelClosedInfo, SpawnRequest, HostFiles } from './transport.js';
export {
  HostgridError,
  RemoteError,
  TimeoutError,
  WorkerLostError,
  ServiceNotFoundError,
  MethodNotFoundError,
  ProtocolError,
  LoadError,
  SerializationError,
  ProxyReleasedError,
  ThenableServiceError,
  HaltedError,
  StagingError,
  NestedGridError,
  HostNotFoundError,
  type ErrorContext,
  type HostgridErrorOptions,
  type RemoteErrorOptions,
} from './errors.js';
export { bundledWorkerEntry } from './worker-entry.js';
