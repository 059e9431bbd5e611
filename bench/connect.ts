/**
 * Sections 1–3 of the benchmark, against the embedded demo (oidc-provider + the SDK's MCP server,
 * auto-approving sign-in):
 *  1. first connect — from nothing to the tool list, ours vs the SDK baseline, DCR and CIMD;
 *  2. reconnect with what the first connect stored (tokens, client, discovery), both sides;
 *  3. refresh storm — 100 concurrent tools/call when the access token expires (ours only; see below).
 *
 * Both sides of a comparison run in this process, alternating which goes first, with a warm-up
 * round that is not recorded. Numbers are per run; the caller takes medians.
 */
import type { DemoHandle } from '../demo/index';
import { createConnection, type Connection } from '../src/core/connection';
import { MemorySecretStore } from '../src/core/memorySecretStore';
import { revokeToken } from '../src/core/oauth/tokens';
import type { ClientConfig } from '../src/core/oauth/registration';
import { personBrowser } from './lib/browser';
import { byStep, demoClassifier, RequestCounter, totals, type Classifier, type ExchangeRecord, type StepSummary } from './lib/countingFetch';
import { sdkConnect, type SdkStore } from './lib/sdkBaseline';

export type Side = 'ours' | 'sdk';
export type Registration = 'dcr' | 'cimd';
/** 'modern': MCP 2026-07-28 (server/discover, stateless); 'legacy': the older protocol (initialize, a session). */
export type Era = 'modern' | 'legacy';
/** A registration mode on one protocol era. */
export type Mode = `${Registration} ${Era}`;
export const MODES: readonly Mode[] = ['dcr modern', 'cimd modern', 'dcr legacy', 'cimd legacy'];
/** The older protocol version both clients are held to for the 'legacy' era. */
export const LEGACY_VERSION = '2025-11-25';

export function modeParts(mode: Mode): { registration: Registration; era: Era } {
  const [registration, era] = mode.split(' ') as [Registration, Era];
  return { registration, era };
}

export function modeLabel(mode: Mode): string {
  const { registration, era } = modeParts(mode);
  return `${registration.toUpperCase()} ${era === 'modern' ? '2026-07-28' : LEGACY_VERSION}`;
}

/** Steps that are not on the path to the tool list: the SDK transport opens the GET stream without awaiting it. */
export const BACKGROUND_STEPS = new Set(['GET SSE stream', 'subscriptions/listen']);
export const OAUTH_STEPS = new Set(['protected resource metadata', 'AS metadata', 'register', 'token', 'refresh', 'authorize', 'sign-in interaction', 'revocation']);

export interface ConnectRun {
  side: Side;
  mode: Mode;
  round: number;
  /** Wall time from nothing to the tool list. */
  ms: number;
  /** performance.now() at the start (the records' times are on the same clock). */
  t0: number;
  tools: number;
  client: ExchangeRecord[];
  browser: ExchangeRecord[];
  reconnect: { ms: number; tools: number; client: ExchangeRecord[] };
}

export async function classifierFor(demo: DemoHandle): Promise<Classifier> {
  const res = await fetch(new URL('/.well-known/oauth-authorization-server', demo.issuer));
  const as = (await res.json()) as { issuer: string; registration_endpoint?: string; token_endpoint?: string; authorization_endpoint?: string; revocation_endpoint?: string };
  return demoClassifier({ mcpUrl: demo.mcpUrl, as });
}

function clientConfig(mode: Mode, demo: DemoHandle): ClientConfig {
  return modeParts(mode).registration === 'dcr' ? { policy: 'dcr' } : { policy: 'cimd', client_metadata_url: demo.clientMetadataUrl };
}

async function oursOnce(demo: DemoHandle, classify: Classifier, mode: Mode): Promise<Omit<ConnectRun, 'side' | 'mode' | 'round'>> {
  const counter = new RequestCounter(classify);
  const browserCounter = new RequestCounter(classify);
  const browser = personBrowser(browserCounter.fetch);
  const secrets = new MemorySecretStore();
  // The older era: the engine pinned to it (its protocolVersion option, where the engine has one);
  // the 2026-07-28 era: the engine negotiates as it does by default.
  const pin: Record<string, unknown> = modeParts(mode).era === 'legacy' ? { protocolVersion: LEGACY_VERSION } : {};
  const build = (fetchImpl: typeof fetch) =>
    createConnection({
      ...pin,
      serverUrl: demo.mcpUrl,
      secrets,
      client: clientConfig(mode, demo),
      browser: { open: (url, redirectUri) => browser.open(url, redirectUri!) },
      fetchImpl,
    });

  let t0 = performance.now();
  const tStart = t0;
  const c = build(counter.fetch);
  await c.session.connect();
  const tools = await c.session.listTools();
  const ms = performance.now() - t0;
  const client = counter.snapshot();
  const browserRecords = browserCounter.snapshot();
  await c.close();

  const again = new RequestCounter(classify);
  t0 = performance.now();
  const c2 = build(again.fetch);
  await c2.session.connect();
  const tools2 = await c2.session.listTools();
  const ms2 = performance.now() - t0;
  const reconnectRecords = again.snapshot();
  await c2.close();
  return { ms, t0: tStart, tools: tools.length, client, browser: browserRecords, reconnect: { ms: ms2, tools: tools2.length, client: reconnectRecords } };
}

async function sdkOnce(demo: DemoHandle, classify: Classifier, mode: Mode): Promise<Omit<ConnectRun, 'side' | 'mode' | 'round'>> {
  const counter = new RequestCounter(classify);
  const browserCounter = new RequestCounter(classify);
  const browser = personBrowser(browserCounter.fetch);
  const store: SdkStore = {};
  const { registration, era } = modeParts(mode);
  const clientMetadataUrl = registration === 'cimd' ? demo.clientMetadataUrl : undefined;

  let t0 = performance.now();
  const tStart = t0;
  const c = await sdkConnect({ serverUrl: demo.mcpUrl, store, fetch: counter.fetch, browser, clientMetadataUrl, era });
  const ms = performance.now() - t0;
  const client = counter.snapshot();
  const browserRecords = browserCounter.snapshot();
  await c.close();

  const again = new RequestCounter(classify);
  t0 = performance.now();
  const c2 = await sdkConnect({ serverUrl: demo.mcpUrl, store, fetch: again.fetch, browser, clientMetadataUrl, era });
  const ms2 = performance.now() - t0;
  const reconnectRecords = again.snapshot();
  await c2.close();
  return { ms, t0: tStart, tools: c.tools.length, client, browser: browserRecords, reconnect: { ms: ms2, tools: c2.tools.length, client: reconnectRecords } };
}

/** Rounds of first connect + reconnect, both sides, both registration modes; round 0 is a warm-up and is dropped. */
export async function benchConnect(demo: DemoHandle, rounds: number, progress: (line: string) => void): Promise<ConnectRun[]> {
  const classify = await classifierFor(demo);
  const runs: ConnectRun[] = [];
  for (let round = 0; round <= rounds; round++) {
    for (const mode of MODES) {
      const order: Side[] = round % 2 === 0 ? ['ours', 'sdk'] : ['sdk', 'ours'];
      for (const side of order) {
        const r = side === 'ours' ? await oursOnce(demo, classify, mode) : await sdkOnce(demo, classify, mode);
        if (round > 0) runs.push({ side, mode, round, ...r });
      }
    }
    progress(`connect: round ${round}/${rounds}${round === 0 ? ' (warm-up, not recorded)' : ''}`);
  }
  return runs;
}

export function criticalPath(records: readonly ExchangeRecord[]): ExchangeRecord[] {
  return records.filter((r) => !BACKGROUND_STEPS.has(r.step));
}

export function summarize(records: readonly ExchangeRecord[]): { requests: number; background: number; sentBytes: number; receivedBytes: number; steps: StepSummary[] } {
  const t = totals(records);
  const bg = records.filter((r) => BACKGROUND_STEPS.has(r.step)).length;
  return { requests: t.requests - bg, background: bg, sentBytes: t.sentBytes, receivedBytes: t.receivedBytes, steps: byStep(records) };
}

// ---------------------------------------------------------------------------------------------
// 3. Refresh storm
// ---------------------------------------------------------------------------------------------

export interface StormRun {
  variant: 'clock' | 'server';
  round: number;
  calls: number;
  failed: number;
  ms: number;
  refreshRequests: number;
  /** Requests at any other OAuth endpoint (discovery, registration, authorization, token by code): should be 0. */
  otherOAuthRequests: number;
  mcpRequests: number;
}

/**
 * 100 concurrent tools/call at the moment the access token expires, two ways:
 *  - `clock`: the engine's injected clock is moved past the token's expiry (the proactive path: the
 *    engine refreshes before sending);
 *  - `server`: the server stops accepting the token while the engine still thinks it valid — the
 *    access token is revoked at the demo's AS (its MCP server then answers 401 invalid_token, as for
 *    an expired token). A really expired token cannot be used for this: the engine refreshes 30 s
 *    before expiry, and the demo's expiry and the engine's are measured from the same clock.
 * The SDK baseline has no single-flight refresh to compare with (each 401 runs its own `auth()`, and
 * oidc-provider's refresh-token rotation then rejects all but the first), so this section is ours only.
 */
export async function benchStorm(demo: DemoHandle, rounds: number, calls: number, progress: (line: string) => void): Promise<StormRun[]> {
  const classify = await classifierFor(demo);
  const counter = new RequestCounter(classify);
  const browser = personBrowser(new RequestCounter(classify).fetch);
  let skewMs = 0;
  const c: Connection = createConnection({
    serverUrl: demo.mcpUrl,
    secrets: new MemorySecretStore(),
    client: { policy: 'dcr' },
    browser: { open: (url, redirectUri) => browser.open(url, redirectUri!) },
    clock: { now: () => Date.now() + skewMs },
    fetchImpl: counter.fetch,
  });
  const out: StormRun[] = [];
  try {
    await c.session.connect();
    await c.session.listTools();
    for (let round = 0; round <= rounds; round++) {
      for (const variant of ['clock', 'server'] as const) {
        const tokens = c.auth.tokens;
        if (!tokens?.refresh_token || tokens.expires_at === undefined) throw new Error('storm: the demo issued no refresh token');
        if (variant === 'clock') {
          skewMs += (tokens.expires_at * 1000 - (Date.now() + skewMs)) + 1000; // 1 s past expiry
        } else {
          const disc = c.auth.discovery!;
          if (!(await revokeToken(c.ctx, disc.as, c.auth.client!, tokens.access_token, 'access_token'))) throw new Error('storm: the demo has no revocation endpoint');
        }
        counter.clear();
        const t0 = performance.now();
        const results = await Promise.allSettled(Array.from({ length: calls }, () => c.session.callTool('list_todos', {})));
        const ms = performance.now() - t0;
        const recs = counter.snapshot();
        const failed = results.filter((r) => r.status === 'rejected' || r.value.isError === true).length;
        if (round > 0) {
          out.push({
            variant,
            round,
            calls,
            failed,
            ms,
            refreshRequests: recs.filter((r) => r.step === 'refresh').length,
            otherOAuthRequests: recs.filter((r) => OAUTH_STEPS.has(r.step) && r.step !== 'refresh').length,
            mcpRequests: recs.filter((r) => !OAUTH_STEPS.has(r.step)).length,
          });
        }
      }
      progress(`storm: round ${round}/${rounds}${round === 0 ? ' (warm-up, not recorded)' : ''}`);
    }
  } finally {
    await c.close();
  }
  return out;
}
