/**
 * [transport] — the protocol as negotiated (MCP Lifecycle §Version Negotiation), the older versions
 * the server claims (a 2026-07-28 server lists them in `server/discover`'s `supportedVersions`), CORS
 * for browser-based clients on the MCP endpoint and the metadata (Fetch Standard §CORS protocol), and
 * the session behaviour the version requires (MCP Transports §Session Management: a session id after
 * `initialize` in the session era, none in the stateless one; an unknown session id is refused).
 */
import type { AuditContext, ProbeAuth } from '../context';
import { sendToServer } from '../probe';
import { exchangesSince, lastExchange, rawGet } from '../support';

const ORIGIN = 'https://mcp-audit-client.example';
const STEP = 'audit CORS';

export async function transportChecks(ctx: AuditContext): Promise<void> {
  const { facts, conn } = ctx;
  const token = facts.tokens?.access_token;
  const auth: ProbeAuth = token ? { kind: 'bearer', token, dpop: true } : { kind: 'none' };
  const n = conn.session.negotiation;
  const usable = !!facts.era && (!!token || !!facts.tools);

  // protocol-version
  if (n) ctx.report({ id: 'transport.protocol-version', level: 'pass', finding: `MCP ${n.protocolVersion ?? '?'}, ${n.era === 'stateless-2026' ? 'stateless (server/discover)' : `with a session (initialize)${conn.session.transportKind === 'sse' ? ', over the legacy HTTP+SSE transport' : ''}`}.`, exchanges: mcpIds(ctx).slice(0, 3) });
  else if (facts.connectFailure) ctx.report({ id: 'transport.protocol-version', level: 'fail', finding: `The MCP session could not be opened: ${facts.connectFailure.message}`, fix: 'Answer server/discover (2026-07-28) or initialize with a protocol version the client speaks.', exchanges: mcpIds(ctx).slice(-3) });
  else ctx.skip('transport.protocol-version', facts.signInFailure ? `sign-in failed (${facts.signInFailure.code}), and the server answers nothing without a token` : 'the MCP session was not opened');

  // older-versions
  if (!usable) ctx.skip('transport.older-versions', facts.signInFailure ? `sign-in failed (${facts.signInFailure.code})` : 'the MCP session was not opened');
  else if (facts.era === 'stateless') {
    const r = await ctx.mcp('server/discover', {}, auth);
    const listed = (r.message?.result as { supportedVersions?: unknown } | undefined)?.supportedVersions;
    const older = Array.isArray(listed) ? listed.filter((v): v is string => typeof v === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(v) && v < '2026-07-28') : [];
    if (!older.length) ctx.report({ id: 'transport.older-versions', level: 'pass', finding: `server/discover lists ${Array.isArray(listed) ? listed.join(', ') || 'no versions' : 'no supportedVersions'}: no older version is claimed.`, exchanges: [r.exchange] });
    else {
      const bad: string[] = [];
      const ids = [r.exchange];
      const saved = { era: facts.era, protocolVersion: facts.protocolVersion };
      for (const v of older.slice(0, 3)) {
        facts.era = 'legacy';
        facts.protocolVersion = v;
        const since = lastExchange(conn);
        try {
          const probe = await ctx.mcp('tools/list', {}, auth);
          ids.push(...exchangesSince(conn, since));
          const init = conn.trace.all().find((e) => e.kind === 'http' && e.id > since && e.step === 'audit probe: initialize');
          const answered = init && init.kind === 'http' ? versionIn(init.response?.body) : undefined;
          if (probe.status >= 400 || probe.message?.error) bad.push(`${v} (HTTP ${probe.status}${probe.message?.error ? `, ${probe.message.error.message.slice(0, 80)}` : ''})`);
          else if (answered !== undefined && answered !== v) bad.push(`${v} (initialize answered ${answered})`);
        } finally {
          Object.assign(facts, saved);
        }
      }
      ctx.report({
        id: 'transport.older-versions',
        level: bad.length ? 'fail' : 'pass',
        finding: bad.length ? `server/discover claims ${older.join(', ')}, but these do not work: ${bad.join('; ')}.` : `The older versions server/discover claims (${older.slice(0, 3).join(', ')}) answer initialize with that version.`,
        ...(bad.length ? { fix: 'List in supportedVersions only the versions the endpoint serves, and answer initialize for each (the SDK\'s legacy fallback).' } : {}),
        exchanges: ids,
      });
    }
  } else {
    const saved = facts.protocolVersion;
    const asked = '2025-03-26';
    const since = lastExchange(conn);
    facts.protocolVersion = asked;
    try {
      const r = await ctx.mcp('tools/list', {}, auth);
      const init = conn.trace.all().find((e) => e.kind === 'http' && e.id > since && e.step === 'audit probe: initialize');
      const answered = init && init.kind === 'http' ? versionIn(init.response?.body) : undefined;
      const ok = r.status < 400 && !r.message?.error;
      ctx.report({
        id: 'transport.older-versions',
        level: ok ? 'pass' : 'warn',
        finding: ok ? `initialize with ${asked} is answered (with ${answered ?? 'a version'}), and requests on it work.` : `A client of ${asked} is not served: HTTP ${r.status}${r.message?.error ? `, ${r.message.error.message.slice(0, 80)}` : ''}.`,
        ...(ok ? {} : { fix: 'Answer initialize for an older version with the same version if you support it, or with the latest version you support (MCP Lifecycle §Version Negotiation).' }),
        exchanges: exchangesSince(conn, since),
      });
    } finally {
      facts.protocolVersion = saved;
    }
  }

  // cors-mcp
  try {
    const since = lastExchange(conn);
    const res = await conn.fetch(ctx.serverUrl, {
      method: 'OPTIONS',
      purpose: 'mcp',
      step: STEP,
      redirect: 'manual',
      headers: { origin: ORIGIN, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization, content-type, mcp-protocol-version' },
    });
    await res.body?.cancel().catch(() => undefined);
    const allowOrigin = res.headers.get('access-control-allow-origin');
    const allowHeaders = (res.headers.get('access-control-allow-headers') ?? '').toLowerCase();
    const missing = [!allowOrigin && 'Access-Control-Allow-Origin', allowOrigin && allowHeaders !== '*' && !allowHeaders.includes('authorization') && 'authorization in Access-Control-Allow-Headers'].filter(Boolean);
    ctx.report({
      id: 'transport.cors-mcp',
      level: missing.length ? 'warn' : 'pass',
      finding: missing.length ? `The preflight (OPTIONS) answered HTTP ${res.status} without ${missing.join(' and ')}: browser-based clients cannot call this server.` : `The preflight allows origin ${allowOrigin} and the Authorization header.`,
      ...(missing.length ? { fix: 'If browser-based clients (web inspectors, web apps) should connect: answer OPTIONS with Access-Control-Allow-Origin, Access-Control-Allow-Headers including authorization, content-type, mcp-protocol-version and mcp-session-id, and expose WWW-Authenticate and Mcp-Session-Id.' } : {}),
      exchanges: exchangesSince(conn, since),
    });
  } catch (err) {
    ctx.report({ id: 'transport.cors-mcp', level: 'warn', finding: `The preflight (OPTIONS) failed: ${conn.redactor.text((err as Error)?.message ?? String(err)).slice(0, 200)}`, fix: 'Answer OPTIONS on the MCP endpoint for browser-based clients.', exchanges: [] });
  }

  // cors-metadata
  const docs = [facts.discovery?.resourceMetadataUrl, facts.discovery?.asMetadataUrl].filter((u): u is string => !!u);
  if (!docs.length) ctx.skip('transport.cors-metadata', 'no metadata document was found');
  else {
    const without: string[] = [];
    const ids: number[] = [];
    for (const url of docs) {
      try {
        const d = await rawGet(ctx, url, url === facts.discovery?.resourceMetadataUrl ? 'resource-metadata' : 'as-metadata', STEP, { origin: ORIGIN });
        ids.push(d.exchange);
        if (!d.headers['access-control-allow-origin']) without.push(url);
      } catch {
        without.push(url);
      }
    }
    ctx.report({
      id: 'transport.cors-metadata',
      level: without.length ? 'warn' : 'pass',
      finding: without.length ? `No Access-Control-Allow-Origin on ${without.join(', ')}: browser-based clients cannot read it.` : 'The metadata documents allow cross-origin reads.',
      ...(without.length ? { fix: 'Serve the metadata documents with Access-Control-Allow-Origin: * (they are public).' } : {}),
      exchanges: ids,
    });
  }

  // session-behaviour
  if (!usable) ctx.skip('transport.session-behaviour', facts.signInFailure ? `sign-in failed (${facts.signInFailure.code})` : 'the MCP session was not opened');
  else if (facts.era === 'stateless') {
    const r = await ctx.mcp('tools/list', {}, auth);
    const sid = r.headers['mcp-session-id'];
    const ok = r.status < 400 && !!r.message?.result;
    ctx.report({
      id: 'transport.session-behaviour',
      level: ok && !sid ? 'pass' : ok ? 'warn' : 'fail',
      finding: !ok ? `A stateless request (no session, version in each request) was refused: HTTP ${r.status}.` : sid ? 'Stateless requests work, but the server hands out an Mcp-Session-Id, which 2026-07-28 clients do not send back.' : 'Stateless requests work without a session id, as 2026-07-28 requires.',
      ...(ok && !sid ? {} : { fix: 'Serve 2026-07-28 requests statelessly: each request carries its version in _meta and MCP-Protocol-Version, with no Mcp-Session-Id.' }),
      exchanges: [r.exchange],
    });
  } else {
    const since = lastExchange(conn);
    const init = conn.trace.all().filter((e) => e.kind === 'http' && (e.step === 'audit probe: initialize' || e.step === 'MCP initialize') && e.response && e.response.status < 300 && !!e.response.headers['mcp-session-id']);
    const sid = init.length ? init[init.length - 1].kind === 'http' && (init[init.length - 1] as { response?: { headers: Record<string, string> } }).response?.headers['mcp-session-id'] : undefined;
    if (!sid) {
      ctx.report({ id: 'transport.session-behaviour', level: 'pass', finding: 'initialize returns no Mcp-Session-Id: the server runs without sessions, which the session era allows.', exchanges: init.map((e) => e.id).slice(-1) });
    } else {
      // An unknown session id must be refused (MCP Transports §Session Management: 404 for a session that ended).
      const { res } = await sendToServer(conn, { jsonrpc: '2.0', id: 1, method: 'tools/list', params: {} }, auth, { 'mcp-session-id': 'mcp-audit-unknown-session', 'mcp-protocol-version': facts.protocolVersion ?? '2025-11-25' }, 'audit probe: unknown session');
      await res.body?.cancel().catch(() => undefined);
      const refused = res.status === 404 || res.status === 400;
      ctx.report({
        id: 'transport.session-behaviour',
        level: refused ? 'pass' : 'warn',
        finding: refused ? `initialize returns an Mcp-Session-Id, and a request with an unknown session id is refused (HTTP ${res.status}).` : `initialize returns an Mcp-Session-Id, but a request with an unknown session id was answered HTTP ${res.status}.`,
        ...(refused ? {} : { fix: 'Answer a request carrying an unknown or ended Mcp-Session-Id with HTTP 404, so clients start a new session.' }),
        exchanges: [...init.map((e) => e.id).slice(-1), ...exchangesSince(conn, since)],
      });
    }
  }
}

function mcpIds(ctx: AuditContext): number[] {
  return ctx.conn.trace.all().filter((e) => e.kind === 'http' && e.purpose === 'mcp' && e.step.startsWith('MCP ')).map((e) => e.id);
}

/** The protocolVersion of an initialize result in a (redacted) trace body, JSON or one event. */
function versionIn(body: string | undefined): string | undefined {
  if (!body) return undefined;
  const m = /"protocolVersion"\s*:\s*"(\d{4}-\d{2}-\d{2})"/.exec(body);
  return m?.[1];
}
