import { randomBytes } from 'node:crypto';
import type { WebSocket } from 'ws';
import { HostgridError, type SpawnRequest } from '@hostgrid/core';
import type { AgentLink } from './agent-link.js';

/** A slot worker the controller asked an agent to start, waiting for it to dial in. */
export interface PendingSlot {
  readonly host: string;
  readonly slot: number;
  /** It dialled in with the ticket (which is now used up). */
  joined(ws: WebSocket): void;
  reject(error: Error): void;
}

/** One-time tickets of slot workers being started, by ticket. */
export type SlotTickets = Map<string, PendingSlot>;

/** What a started slot brings: its connection, pid, and the output it wrote before. */
export interface StartedSlot {
  readonly ws: WebSocket;
  readonly pid: number;
  readonly output: readonly (readonly ['stdout' | 'stderr', string])[];
}

const STDERR_TAIL = 2000;

/**
 * Asks the host's agent to start the worker of one slot with a fresh one-time ticket and
 * waits until that worker dials in with it.
 *
 * @throws HostgridError naming the host and slot when the host offers fewer slots, the
 *   agent cannot start the worker, the worker exits before it dials in (with the end of
 *   its stderr), or the agent's link ends; the signal's reason when it aborts. Whatever
 *   was started is killed then.
 */
export function startSlot(agent: AgentLink, request: SpawnRequest, tickets: SlotTickets): Promise<StartedSlot> {
  const { host, slot, signal } = request;
  const what = `ws worker for host "${host.name}" slot ${slot}`;
  if (slot >= agent.slots) {
    return Promise.reject(
      new HostgridError({ host: host.name, slot, message: `${what} could not start: the agent of host "${host.name}" offers ${agent.slots} slots (--slots), and the grid wants ${host.slots}` }),
    );
  }
  const ticket = randomBytes(18).toString('base64url');
  const output: ['stdout' | 'stderr', string][] = [];
  let pid = 0;
  let ws: WebSocket | undefined;
  let done = false;
  return new Promise<StartedSlot>((resolve, reject) => {
    const cleanup = (): void => {
      done = true;
      tickets.delete(ticket);
      unwatch();
      offEnd();
      signal.removeEventListener('abort', onAbort);
    };
    const fail = (error: unknown): void => {
      if (done) return;
      cleanup();
      if (pid !== 0) agent.post({ type: 'kill', slot, pid });
      ws?.terminate();
      reject(error);
    };
    const finish = (): void => {
      if (done || ws === undefined || pid === 0) return;
      cleanup();
      resolve({ ws, pid, output });
    };
    const stderrTail = (): string => {
      const text = output.filter(([stream]) => stream === 'stderr').map(([, t]) => t).join('').slice(-STDERR_TAIL).trim();
      return text === '' ? '' : `; its stderr ends:\n${text}`;
    };
    const unwatch = agent.watchSlot(slot, {
      output: (stream, text) => output.push([stream, text]),
      exited: (exit) => {
        // Exits before the start's reply are of an older worker of the slot (the agent ends it first).
        if (pid === 0 || exit.pid !== pid) return;
        const how = exit.signal !== null ? `was killed by ${exit.signal}` : `exited with code ${String(exit.code)}`;
        fail(new HostgridError({ host: host.name, slot, message: `${what} ${how} before it dialled in${stderrTail()}` }));
      },
    });
    const offEnd = agent.onEnd((error) => fail(new HostgridError({ host: host.name, slot, message: `${what} could not start: ${error.message.replace(/^\[hostgrid\] /, '')}`, cause: error })));
    const onAbort = (): void => fail(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    tickets.set(ticket, {
      host: host.name,
      slot,
      joined: (socket) => {
        if (done) {
          socket.terminate();
          return;
        }
        ws = socket;
        finish();
      },
      reject: fail,
    });
    agent
      .request({
        type: 'start',
        slot,
        ticket,
        workerEntry: request.workerEntry,
        tempPath: request.tempPath,
        node: host.node ?? '',
        niceness: host.niceness,
        initCmd: host.initCmd ?? '',
        env: host.env,
      })
      .then(
        (value) => {
          pid = (value as { pid: number }).pid;
          finish();
        },
        (error: unknown) => fail(new HostgridError({ host: host.name, slot, message: `${what} could not start: ${(error as Error).message.replace(/^\[hostgrid\] /, '')}`, cause: error })),
      );
  });
}
