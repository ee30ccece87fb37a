import type { WebSocket } from 'ws';
import { CloseCode, InvalidMessageError, decode, isSendable, parseAgentRequest, toWireError, type AgentReport, type AgentRequest } from '@hostgrid/protocol';
import { WorkerExitCode } from '../exit-codes.js';
import { AgentFiles } from './agent-files.js';
import { dial, DialError, type DialOptions } from './dial.js';
import { reportMessages } from './report-messages.js';
import { SlotProcesses } from './slot-processes.js';

/** What a host agent needs to run. */
export interface AgentOptions {
  readonly url: string;
  readonly host: string;
  readonly slots: number;
  readonly token: string;
  readonly ca?: Buffer;
  readonly caFile?: string;
  /** How long to keep trying to (re)connect, in ms. */
  readonly retryForMs: number;
  /** One line for people (stderr). */
  readonly log: (line: string) => void;
}

/** Waits between connection attempts: 100 ms, doubling, at most 2 s, ±20 %. */
export function backoffMs(attempt: number): number {
  const base = Math.min(2000, 100 * 2 ** Math.min(attempt, 10));
  return Math.round(base * (0.8 + 0.4 * Math.random()));
}

/**
 * A host agent: dials in to the controller as host `options.host` offering
 * `options.slots` slots, starts and kills slot workers when asked, carries out the
 * controller's file operations (confined to temp folders), and watches the link (the
 * controller pings every heartbeat interval; `misses` intervals of silence count as
 * lost). When its connection ends for any reason but a refusal, it kills its slot
 * workers (no orphans), then dials again with growing waits for up to `retryForMs`,
 * and joins as a fresh host.
 *
 * @returns the exit code: {@link WorkerExitCode.Refused} when the controller refused it
 *   or its certificate is not trusted, {@link WorkerExitCode.Unreachable} once retrying is over
 */
export async function runAgent(options: AgentOptions, stop: AbortSignal): Promise<number> {
  const files = new AgentFiles();
  let deadline = Date.now() + options.retryForMs;
  let lastError = '';
  for (let attempt = 0; !stop.aborted; attempt++) {
    const dialOptions: DialOptions = {
      url: options.url,
      token: options.token,
      claim: { role: 'host', host: options.host, slot: 0, ticket: '' },
      slots: options.slots,
      ...(options.ca === undefined ? {} : { ca: options.ca }),
    };
    try {
      const end = await serve(dialOptions, files, options, stop);
      attempt = -1;
      lastError = '';
      options.log(`connection to ${options.url} ended (${end}); its slot workers were stopped`);
      deadline = Date.now() + options.retryForMs;
    } catch (error) {
      if (!(error instanceof DialError)) throw error;
      if (error.fatal) {
        options.log(error.message);
        return WorkerExitCode.Refused;
      }
      if (error.message !== lastError) options.log(`${error.message}; trying again for up to ${Math.max(0, Math.round((deadline - Date.now()) / 1000))} s`);
      lastError = error.message;
    }
    if (stop.aborted) break;
    const left = deadline - Date.now();
    if (left <= 0) {
      options.log(`gave up: no connection to ${options.url} for ${Math.round(options.retryForMs / 1000)} s (--retry-for)`);
      return WorkerExitCode.Unreachable;
    }
    await sleep(Math.min(left, backoffMs(Math.max(0, attempt))), stop);
  }
  return WorkerExitCode.Ok;

  /** One connection: joins, serves it until it ends, then stops every slot worker. */
  async function serve(dialOptions: DialOptions, agentFiles: AgentFiles, agent: AgentOptions, signal: AbortSignal): Promise<string> {
    let ended!: (why: string) => void;
    const done = new Promise<string>((resolve) => (ended = resolve));
    // Requests right behind the welcome can arrive before the handler below is set: held until then.
    const held: Buffer[] = [];
    let handle: (data: Buffer) => void = (data) => held.push(data);
    const { ws, welcome } = await dial(dialOptions, {
      message: (data) => handle(data),
      close: (code, reason) => ended(`closed ${code}${reason === '' ? '' : ` ${reason}`}`),
    });
    agent.log(`joined ${agent.url} as host "${agent.host}" with ${agent.slots} slots`);
    const send = (report: AgentReport): void => {
      if (ws.readyState !== ws.OPEN) return;
      for (const message of reportMessages(report, welcome.maxFrameBytes)) ws.send(message);
    };
    const processes = new SlotProcesses({ url: agent.url, host: agent.host, token: agent.token, ...(agent.caFile === undefined ? {} : { caFile: agent.caFile }) }, send);
    const watch = watchLink(ws, welcome.heartbeatMs, welcome.misses, ended);
    handle = (data) => {
      watch.heard();
      let request: AgentRequest;
      try {
        request = parseAgentRequest(decode(data));
      } catch (error) {
        if (!(error instanceof InvalidMessageError)) throw error;
        ws.close(CloseCode.Protocol, 'bad message');
        ended(`the controller sent a bad message: ${error.message}`);
        return;
      }
      void answer(request, processes, agentFiles, send, watch);
    };
    for (const data of held.splice(0)) handle(data);
    const onStop = (): void => {
      ws.close(1000, 'agent stopping');
      ended('the agent was stopped');
    };
    // A stop that came while dialling (an aborted signal never fires 'abort' again) ends this connection at once.
    if (signal.aborted) onStop();
    else signal.addEventListener('abort', onStop, { once: true });
    const why = await done;
    signal.removeEventListener('abort', onStop);
    watch.stop();
    if (ws.readyState !== ws.CLOSED) ws.terminate();
    await processes.killAll();
    await agentFiles.abortAll();
    return why;
  }
}

/** Carries out one request; a request with an id is always answered, with a value or an error. */
async function answer(request: AgentRequest, processes: SlotProcesses, files: AgentFiles, send: (report: AgentReport) => void, watch: LinkWatch): Promise<void> {
  if (request.type === 'kill') {
    await processes.kill(request.slot, request.pid);
    return;
  }
  if (request.type === 'link') {
    watch.retime(request.heartbeatMs, request.misses);
    return;
  }
  try {
    const value = request.type === 'start' ? await processes.start(request, files) : await files.handle(request);
    send({ type: 'reply', id: request.id, value });
  } catch (error) {
    send({ type: 'reply', id: request.id, error: toWireError(error, isSendable) });
  }
}

interface LinkWatch {
  heard(): void;
  retime(heartbeatMs: number, misses: number): void;
  stop(): void;
}

/** Declares the link lost (and terminates it) after `misses` heartbeat intervals without a ping or message. */
function watchLink(ws: WebSocket, heartbeatMs: number, misses: number, lost: (why: string) => void): LinkWatch {
  let last = performance.now();
  let lastTick = performance.now();
  let timer: NodeJS.Timeout | undefined;
  const heard = (): void => {
    last = performance.now();
  };
  ws.on('ping', heard);
  const start = (interval: number, count: number): void => {
    clearInterval(timer);
    if (interval <= 0) return;
    const tick = Math.max(10, Math.floor(interval / 2));
    timer = setInterval(() => {
      const now = performance.now();
      // A late tick means this process was starved: the controller's pings may be waiting
      // unread. Judge again after the poll phase has read them.
      const late = now - lastTick > tick * 3;
      lastTick = now;
      if (late || now - last <= interval * count) return;
      setImmediate(() => {
        const silent = performance.now() - last;
        if (silent <= interval * count) return;
        ws.terminate();
        lost(`no word from the controller for ${Math.round(silent)} ms`);
      });
    }, tick);
  };
  start(heartbeatMs, misses);
  return {
    heard,
    retime: (interval, count) => start(interval, count),
    stop: () => clearInterval(timer),
  };
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
