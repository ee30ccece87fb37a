import type { ServerInfo } from './events.js';
import type { PublishPlan } from './publish-target.js';
import type { PublishOptions } from './policies.js';
import type { Server } from './server.js';
import type { ServerPool } from './server-pool.js';

/** @internal A published service as the grid keeps it: its pool, and how its copies are made. */
export interface Service {
  readonly id: string;
  readonly methods: ReadonlySet<string>;
  readonly pool: ServerPool;
  /** What each host's copy is made from: again, on a restart. */
  readonly create: PublishPlan['create'];
  readonly options: PublishOptions;
  /** Restart attempts used, per `host/slot`. */
  readonly restarts: Map<string, number>;
}

/** @internal A snapshot of a server, as events and `Grid.servers` report it. */
export function serverInfo(server: Server): ServerInfo {
  return {
    service: server.service,
    host: server.link.host.name,
    slot: server.link.slot,
    pid: server.link.pid,
    busy: server.busy,
    draining: server.retiring,
    inflight: server.inflight,
    jobs: server.jobs,
    meanMs: server.meanMs,
  };
}
