import type { ToolInfo } from '../../core/mcp/session';
import type { SecurityView, ServerSummary, ToolView } from '../../shared/protocol';
import type { ServerConnection } from '../connections';

/** The server bar every panel shows: name, URL, state, who is signed in where. Never a secret. */
export function serverSummary(c: ServerConnection): ServerSummary {
  const auth = c.conn?.auth;
  const t = auth?.tokens;
  return {
    id: c.entry.id,
    name: c.entry.name,
    url: c.entry.url,
    state: c.state,
    error: c.error,
    signedIn: !!t,
    issuer: auth?.discovery?.as.issuer,
    scopes: t?.scope ? t.scope.split(' ').filter(Boolean) : [],
    expiresAt: t?.expires_at,
    protocol: protocolLine(c),
  };
}

/** "MCP 2026-07-28, stateless (server/discover)" / "MCP 2025-11-25, session (initialize)", once negotiated. */
function protocolLine(c: ServerConnection): string | undefined {
  const n = c.conn?.session.negotiation;
  if (!n) return undefined;
  return `MCP ${n.protocolVersion ?? '?'}, ${n.era === 'stateless-2026' ? 'stateless' : 'session'} (${n.negotiatedBy === 'discover' ? 'server/discover' : 'initialize'})`;
}

export function securityView(t: ToolInfo): SecurityView {
  const s = t.security;
  const types = new Set((s.schemes ?? []).map((x) => x.type));
  const kind: SecurityView['kind'] = !s.schemes ? 'default' : types.has('noauth') && types.has('oauth2') ? 'both' : types.has('oauth2') ? 'oauth' : 'public';
  return {
    kind,
    anonymous: s.anonymous,
    requiresAuth: s.requiresAuth,
    scopesNeeded: s.scopesNeeded,
    scopesHeld: s.scopesHeld,
    missing: s.missing,
    covered: s.covered,
    source: s.source,
    ...(s.mismatch ? { mismatch: { declared: s.mismatch.declared, status: s.mismatch.observed.status, message: s.mismatch.message } } : {}),
  };
}

export function toolView(t: ToolInfo): ToolView {
  const tool = t.tool;
  return {
    name: tool.name,
    title: tool.title ?? (tool.annotations?.title as string | undefined),
    description: tool.description,
    annotations: tool.annotations as Record<string, unknown> | undefined,
    inputSchema: tool.inputSchema,
    outputSchema: tool.outputSchema,
    security: securityView(t),
  };
}
