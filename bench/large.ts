/**
 * Section 4 in plain Node: connect to the 1,000-tool fixture and list its tools — ours (the engine's
 * McpSession: paginated tools/list with the loose schema that keeps securitySchemes, plus the per-tool
 * security against the current token) vs the SDK's `Client.listTools()` — alternating, several rounds.
 * The tree items are built in the real host (bench/host/inHost.ts); this is the vscode-free part.
 */
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { createConnection } from '../src/core/connection';
import { MemorySecretStore } from '../src/core/memorySecretStore';
import { mcpClassifier, RequestCounter } from './lib/countingFetch';

export interface LargeRun {
  side: 'ours' | 'sdk';
  round: number;
  tools: number;
  /** initialize + initialized. */
  connectMs: number;
  /** tools/list, every page, parsed (ours: with per-tool security). */
  listMs: number;
  pages: number;
  listBytes: number;
  /** Ours only: the per-tool security computation alone, over all tools. */
  securityMs?: number;
}

async function oursOnce(url: string): Promise<Omit<LargeRun, 'side' | 'round'>> {
  const counter = new RequestCounter(mcpClassifier(url));
  const c = createConnection({ serverUrl: url, secrets: new MemorySecretStore(), client: { policy: 'auto' }, fetchImpl: counter.fetch });
  try {
    const t0 = performance.now();
    await c.session.connect();
    const t1 = performance.now();
    const tools = await c.session.listTools();
    const t2 = performance.now();
    for (const t of tools) c.session.securityOf(t.tool);
    const securityMs = performance.now() - t2;
    const lists = counter.snapshot().filter((e) => e.step === 'tools/list');
    return { tools: tools.length, connectMs: t1 - t0, listMs: t2 - t1, pages: lists.length, listBytes: lists.reduce((a, e) => a + e.receivedBytes, 0), securityMs };
  } finally {
    await c.close();
  }
}

async function sdkOnce(url: string): Promise<Omit<LargeRun, 'side' | 'round'>> {
  const counter = new RequestCounter(mcpClassifier(url));
  const transport = new StreamableHTTPClientTransport(new URL(url), { fetch: counter.fetch });
  const client = new Client({ name: 'sdk-baseline', version: '0.0.0' });
  try {
    const t0 = performance.now();
    await client.connect(transport);
    const t1 = performance.now();
    let tools = 0;
    let cursor: string | undefined;
    do {
      const r = await client.listTools(cursor ? { cursor } : undefined);
      tools += r.tools.length;
      cursor = r.nextCursor;
    } while (cursor);
    const t2 = performance.now();
    const lists = counter.snapshot().filter((e) => e.step === 'tools/list');
    return { tools, connectMs: t1 - t0, listMs: t2 - t1, pages: lists.length, listBytes: lists.reduce((a, e) => a + e.receivedBytes, 0) };
  } finally {
    await transport.terminateSession().catch(() => undefined);
    await client.close();
  }
}

export async function benchLarge(url: string, rounds: number, progress: (line: string) => void): Promise<LargeRun[]> {
  const out: LargeRun[] = [];
  for (let round = 0; round <= rounds; round++) {
    for (const side of round % 2 === 0 ? (['ours', 'sdk'] as const) : (['sdk', 'ours'] as const)) {
      const r = side === 'ours' ? await oursOnce(url) : await sdkOnce(url);
      if (round > 0) out.push({ side, round, ...r });
    }
    progress(`large server: round ${round}/${rounds}${round === 0 ? ' (warm-up, not recorded)' : ''}`);
  }
  return out;
}
