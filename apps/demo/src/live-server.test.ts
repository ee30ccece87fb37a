import { request } from 'node:http';
import { describe, expect, it } from 'vitest';
import type { ExchangeConfig } from './config.js';
import { LiveServer } from './live-server.js';
import { LiveState } from './live-state.js';

const config: ExchangeConfig = { replicas: 2, rounds: 5, sweeps: 1, size: 4, tmin: 2, tmax: 3, seed: 1 };

function state(): LiveState {
  return new LiveState({ config, transport: 'local', hosts: [{ name: 'local', slots: 2 }] });
}

/** Reads an SSE stream until `until` matches what came so far, or the stream ends. */
async function readEvents(body: ReadableStream<Uint8Array>, until: RegExp): Promise<string> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let text = '';
  for (let i = 0; i < 1000 && !until.test(text); i++) {
    const { done, value } = await reader.read();
    if (done) break;
    text += decoder.decode(value, { stream: true });
  }
  reader.releaseLock();
  return text;
}

/** A GET with a chosen Host header (fetch will not send another). */
function getWithHost(url: string, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers: { host } }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end();
  });
}

describe('LiveServer', () => {
  it('serves the page, the state as JSON, and 404 elsewhere, on 127.0.0.1', async () => {
    const live = state();
    live.setProgress({ round: 2, rounds: 5, accepted: 1, attempted: 2 });
    await using server = await LiveServer.start({ snapshot: () => live.snapshot() });
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    expect(server.port).toBeGreaterThan(0);

    const page = await fetch(server.url, { signal: AbortSignal.timeout(10_000) });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toContain('text/html');
    const html = await page.text();
    expect(html).toContain('id="round"');
    expect(html).toContain('"round":2');

    const json = await fetch(`${server.url}state`, { signal: AbortSignal.timeout(10_000) });
    expect(await json.json()).toMatchObject({ round: 2, rounds: 5, hosts: [{ name: 'local' }] });

    expect((await fetch(`${server.url}nothing`, { signal: AbortSignal.timeout(10_000) })).status).toBe(404);
    expect((await fetch(server.url, { method: 'POST', signal: AbortSignal.timeout(10_000) })).status).toBe(405);
    expect(await getWithHost(server.url, 'evil.example:80')).toBe(403);
    expect(await getWithHost(server.url, `localhost:${server.port}`)).toBe(200);
  });

  it('streams the state as Server-Sent Events and ends the stream when it closes', async () => {
    const live = state();
    const server = await LiveServer.start({ snapshot: () => live.snapshot(), intervalMs: 20 });
    try {
      const response = await fetch(`${server.url}events`, { signal: AbortSignal.timeout(20_000) });
      expect(response.headers.get('content-type')).toBe('text/event-stream');
      const body = response.body!;
      const first = await readEvents(body, /data: .*\n\n[\s\S]*data: .*\n\n/);
      expect(first).toMatch(/^retry: 1000\ndata: \{/);
      live.setProgress({ round: 3, rounds: 5, accepted: 0, attempted: 1 });
      live.setPhase('finished');
      await server.close();
      const rest = await readEvents(body, /event: end\n/);
      expect(rest).toContain('"phase":"finished"');
      expect(rest).toContain('event: end\ndata: {}\n\n');
    } finally {
      await server.close();
    }
    // closed: nothing listens any more
    await expect(fetch(server.url, { signal: AbortSignal.timeout(10_000) })).rejects.toThrow();
  });

  it('fails to start on a port already taken', async () => {
    await using first = await LiveServer.start({ snapshot: () => state().snapshot() });
    await expect(LiveServer.start({ snapshot: () => state().snapshot(), port: first.port })).rejects.toThrow(/EADDRINUSE/);
  });
});
