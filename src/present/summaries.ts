/**
 * What the panels, the tree and the CLI say about a server and its tools (no vscode, no DOM): the
 * server bar every panel shows, who is signed in where, each tool's security. The editor sends these
 * to the webview (src/shared/protocol.ts); the CLI prints them (src/cli/output.ts) and puts
 * `authSummary` in its --json output. Never a secret: only whether a token or refresh token exists.
 */
import type { Connection } from '../core/connection';
import { toolViewOf } from '../core/mcp/apps';
import type { ToolInfo } from '../core/mcp/session';
import type { SecurityView, ServerSummary, ToolView } from '../shared/protocol';
import type { InfoRow } from './serverInfo';
import type { ServerState } from './serverTree';

/** The engine facts a summary reads: the OAuth state and the negotiated protocol. */
export type ConnectionFacts = { auth: Pick<Connection['auth'], 'tokens' | 'discovery' | 'client'>; session: Pick<Connection['session'], 'negotiation'> };

/** A server as a front end knows it: its entry, its state, and its engine connection once built. */
export interface ServerSource {
  entry: { id: string; name: string; url: string };
  state: ServerState;
  error?: string;
  conn?: ConnectionFacts;
}

/** Who is signed in where, for one server (the CLI's --json `auth`; the panels' server bar reads it). */
export interface AuthSummary {
  signedIn: boolean;
  issuer?: string;
  resource?: string;
  backCompat?: boolean;
  registration?: { mode: string; client_id: string; token_endpoint_auth_method?: string };
  scopes: string[];
  /** Epoch seconds. */
  expiresAt?: number;
  hasRefreshToken: boolean;
}

export function authSummary(a: ConnectionFacts['auth'] | undefined): AuthSummary {
  const t = a?.tokens;
  return {
    signedIn: !!t,
    issuer: a?.discovery?.as.issuer,
    resource: a?.discovery?.resource,
    backCompat: a?.discovery?.backCompat,
    registration: a?.client ? { mode: a.client.mode, client_id: a.client.client_id, token_endpoint_auth_method: a.client.token_endpoint_auth_method } : undefined,
    // RFC 6749 §3.3: scope is a space-delimited list
    scopes: t?.scope ? t.scope.split(' ').filter(Boolean) : [],
    expiresAt: t?.expires_at,
    hasRefreshToken: !!t?.refresh_token,
  };
}

/**
 * The children of the tree's Authorization node, in order: the authorization server (and the
 * 2025-03-26 back-compat layout), the registration, then the token's expiry, scopes and refresh
 * token, or that there is no token. `now` in epoch ms.
 */
export function authRows(a: AuthSummary, now = Date.now()): InfoRow[] {
  const out: InfoRow[] = [];
  if (a.issuer !== undefined) {
    out.push({ label: 'Authorization server', value: a.issuer, icon: 'server' });
    if (a.backCompat) out.push({ label: 'Layout', value: '2025-03-26 back-compat (no protected resource metadata)', icon: 'warning' });
  }
  if (a.registration) out.push({ label: 'Registration', value: `${a.registration.mode} · ${a.registration.client_id}`, icon: 'person' });
  if (a.signedIn) {
    out.push({ label: 'Token expires', value: a.expiresAt ? relativeTime(a.expiresAt * 1000, now) : 'unknown', icon: 'watch' });
    out.push({ label: 'Granted scopes', value: a.scopes.join(' ') || '(none)', icon: 'checklist' });
    out.push({ label: 'Refresh token', value: a.hasRefreshToken ? 'yes' : 'no', icon: 'sync' });
  } else {
    out.push({ label: 'Token', value: 'none — an operation that needs one will ask you to sign in', icon: 'circle-slash' });
  }
  return out;
}

/** "in 4 min · 10:42:00", "2 h ago (expired) · 08:00:00": a time (epoch ms) from `now`, and the clock time. */
export function relativeTime(ms: number, now = Date.now()): string {
  const s = Math.round((ms - now) / 1000);
  const abs = Math.abs(s);
  const text = abs < 90 ? `${abs} s` : abs < 5400 ? `${Math.round(abs / 60)} min` : `${Math.round(abs / 3600)} h`;
  return `${s >= 0 ? 'in' : ''} ${text}${s < 0 ? ' ago (expired)' : ''} · ${new Date(ms).toLocaleTimeString()}`.trim();
}

/** The server bar every panel shows: name, URL, state, who is signed in where. Never a secret. */
export function serverSummary(c: ServerSource): ServerSummary {
  const a = authSummary(c.conn?.auth);
  return {
    id: c.entry.id,
    name: c.entry.name,
    url: c.entry.url,
    state: c.state,
    error: c.error,
    signedIn: a.signedIn,
    issuer: a.issuer,
    scopes: a.scopes,
    expiresAt: a.expiresAt,
    protocol: protocolLine(c.conn?.session.negotiation),
  };
}

/** "MCP 2026-07-28, stateless (server/discover)" / "MCP 2025-11-25, session (initialize)", once negotiated. */
export function protocolLine(n: ConnectionFacts['session']['negotiation']): string | undefined {
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
    ...viewOf(tool),
  };
}

/** The tool's MCP App view, when it names a `ui://` one (src/core/mcp/apps.ts refuses any other). */
function viewOf(tool: ToolInfo['tool']): Pick<ToolView, 'view'> {
  const v = toolViewOf(tool).view;
  return v ? { view: { uri: v.uri } } : {};
}

/** Whether the current token lets a tool be called: 'open' (no token needed), 'unlocked', 'locked'. */
export type ToolAccess = 'open' | 'unlocked' | 'locked';

export function toolAccess(s: Pick<SecurityView, 'covered' | 'requiresAuth'>): ToolAccess {
  return s.covered ? (s.requiresAuth ? 'unlocked' : 'open') : 'locked';
}
