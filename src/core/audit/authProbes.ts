/**
 * What the resource-server and tool-security checks share: which request to probe (the first one
 * that needs a token), how an answer reads (refused over HTTP, refused by a tool-level challenge,
 * accepted, or something else), and extra tokens from the same authorization server (a narrower
 * scope, another resource, a second token to revoke) — obtained headless, never with a person.
 *
 * The probe request is chosen per docs/SECURITY.md "The audit's probes": a tool with side effects
 * is called only with `callTools: 'all'`; otherwise it is called with arguments that fail its own
 * input schema, which is enough when the server decides on the token before it reads the arguments.
 */
import { STEP } from '../../shared/codes';
import { isInspectorError } from '../errors';
import { authorizeWithCode } from '../oauth/authorizationCode';
import { toolChallengeStatus, type BearerChallenge } from '../oauth/challenge';
import { isDpopTokenType } from '../oauth/dpop';
import { clientCredentialsGrant } from '../oauth/grants';
import { createHeadlessBrowser } from '../oauth/headlessBrowser';
import type { RegisteredClient } from '../oauth/registration';
import type { TokenSet } from '../oauth/tokens';
import { readSecuritySchemes, type SecurityScheme } from '../mcp/toolSecurity';
import type { AuditContext, ProbeAuth, ProbeResponse } from './context';

export type RawTool = Record<string, unknown>;

export function toolName(tool: RawTool): string {
  return typeof tool.name === 'string' ? tool.name : '(unnamed)';
}

export function isReadOnly(tool: RawTool): boolean {
  const a = tool.annotations;
  return !!a && typeof a === 'object' && (a as { readOnlyHint?: unknown }).readOnlyHint === true;
}

/** The declared schemes of a tool (top-level or `_meta`), undefined when it declares none. */
export function schemesOf(tool: RawTool): SecurityScheme[] | undefined {
  return readSecuritySchemes(tool).schemes;
}

/** Scopes of the first oauth2 scheme with the fewest scopes (several oauth2 entries are alternatives). */
export function oauthScopes(schemes: SecurityScheme[] | undefined): string[] {
  const oauth = (schemes ?? []).filter((s): s is { type: 'oauth2'; scopes: string[] } => s.type === 'oauth2');
  if (!oauth.length) return [];
  return [...oauth].sort((a, b) => a.scopes.length - b.scopes.length)[0].scopes;
}

interface JsonSchemaLike {
  type?: unknown;
  properties?: Record<string, { type?: unknown; default?: unknown; enum?: unknown[] } | undefined>;
  required?: unknown;
}

function schemaOf(tool: RawTool): JsonSchemaLike {
  return tool.inputSchema && typeof tool.inputSchema === 'object' ? (tool.inputSchema as JsonSchemaLike) : {};
}

/** Arguments from the tool's input schema: defaults, else a plain value of the declared type (as sampleArguments does for the SDK's Tool type). */
export function validArguments(tool: RawTool): Record<string, unknown> {
  const schema = schemaOf(tool);
  const required = new Set(Array.isArray(schema.required) ? schema.required.filter((x): x is string => typeof x === 'string') : []);
  const args: Record<string, unknown> = {};
  for (const [name, p] of Object.entries(schema.properties ?? {})) {
    if (!p) continue;
    if (p.default !== undefined) args[name] = p.default;
    else if (!required.has(name)) continue;
    else if (Array.isArray(p.enum) && p.enum.length) args[name] = p.enum[0];
    else if (p.type === 'number' || p.type === 'integer') args[name] = 1;
    else if (p.type === 'boolean') args[name] = true;
    else if (p.type === 'array') args[name] = [];
    else if (p.type === 'object') args[name] = {};
    else args[name] = 'audit';
  }
  return args;
}

/**
 * Arguments that fail the tool's own input schema, so the tool cannot run whatever the server decides
 * about the token: a required property left out, else a declared property given a value of another
 * type. Undefined when the schema requires and types nothing (then any arguments may run the tool).
 */
export function invalidArguments(tool: RawTool): Record<string, unknown> | undefined {
  const schema = schemaOf(tool);
  const props = schema.properties ?? {};
  const required = Array.isArray(schema.required) ? schema.required.filter((x): x is string => typeof x === 'string') : [];
  if (required.length) {
    // Every other property valid, the first required one missing.
    const args = validArguments(tool);
    delete args[required[0]];
    return args;
  }
  for (const [name, p] of Object.entries(props)) {
    if (!p || typeof p.type !== 'string') continue;
    // A value of another JSON type than the declared one.
    return { [name]: p.type === 'object' ? 'audit-not-an-object' : { audit: 'not-a-' + p.type } };
  }
  return undefined;
}

/** One MCP request the probes send with different credentials. */
export interface ProbeTarget {
  method: string;
  params?: Record<string, unknown>;
  /** For the finding text, e.g. "tools/list" or "tools/call get_todos". */
  label: string;
  /**
   * 'request': any request is refused without a token (the whole server is protected);
   * 'call': a tool call that runs; 'invalid-call': a tool call with schema-failing arguments, where an
   * answer about the arguments means the token got through.
   */
  kind: 'request' | 'call' | 'invalid-call';
  tool?: string;
  /** Scopes the request needs, as far as the server says (challenge or declaration). */
  scopes: string[];
}

export function callTarget(tool: RawTool, invalid: boolean, scopes: string[]): ProbeTarget | undefined {
  const name = toolName(tool);
  const args = invalid ? invalidArguments(tool) : validArguments(tool);
  if (!args) return undefined;
  return { method: 'tools/call', params: { name, arguments: args }, label: `tools/call ${name}${invalid ? ' (arguments that fail its input schema)' : ''}`, kind: invalid ? 'invalid-call' : 'call', tool: name, scopes };
}

/** How a probe's answer reads. */
export type Outcome =
  | { kind: 'refused'; via: 'http' | 'tool-result'; status: number; challenge?: BearerChallenge }
  | { kind: 'accepted'; detail: string }
  | { kind: 'other'; status: number; detail: string };

export function classify(r: ProbeResponse, target: ProbeTarget, hadToken: boolean): Outcome {
  if (r.status === 401 || r.status === 403) return { kind: 'refused', via: 'http', status: r.status, challenge: r.challenge };
  if (r.toolChallenge) return { kind: 'refused', via: 'tool-result', status: toolChallengeStatus(r.toolChallenge, hadToken), challenge: r.toolChallenge };
  if (r.status >= 200 && r.status < 300) {
    if (r.message?.result !== undefined) return { kind: 'accepted', detail: `HTTP ${r.status} with a result` };
    if (r.message?.error) {
      if (target.kind === 'invalid-call') return { kind: 'accepted', detail: `HTTP ${r.status} with a JSON-RPC error about the request (${r.message.error.code}), past any token check` };
      return { kind: 'other', status: r.status, detail: `HTTP ${r.status} with a JSON-RPC error (${r.message.error.code}) and no challenge` };
    }
    return { kind: 'other', status: r.status, detail: `HTTP ${r.status} without a JSON-RPC answer` };
  }
  return { kind: 'other', status: r.status, detail: `HTTP ${r.status}` };
}

/** "HTTP 401 (Bearer error="invalid_token")" / "a tool-level challenge in the result (…)". */
export function describeRefusal(o: Extract<Outcome, { kind: 'refused' }>): string {
  const ch = o.challenge;
  const params = ch ? [ch.error ? `error="${ch.error}"` : undefined, ch.scope ? `scope="${ch.scope}"` : undefined, ch.resource_metadata ? 'resource_metadata' : undefined].filter(Boolean).join(', ') : '';
  const what = o.via === 'http' ? `HTTP ${o.status}` : `a tool-level challenge in the result (_meta["mcp/www_authenticate"], stands for ${o.status})`;
  return ch ? `${what} with ${ch.scheme === 'bearer' ? 'Bearer' : ch.scheme} ${params || 'challenge'}` : `${what} without a WWW-Authenticate challenge`;
}

/** The token as the probe presents it: with a DPoP proof when the audit's own token is DPoP-bound (RFC 9449 §7). */
export function bearer(ctx: AuditContext, token: string): ProbeAuth {
  return { kind: 'bearer', token, ...(isDpopTokenType(ctx.facts.tokens?.token_type) ? { dpop: true } : {}) };
}

/** A token set obtained for a probe, with the client it was issued to (for revocation). */
export interface MintedToken {
  tokens: TokenSet;
  client: RegisteredClient;
}

/** Why no token could be minted, once: a second sign-in that needs a person is not tried again. */
const mintRefusals = new WeakMap<object, string>();

/**
 * A token from the authorization server the audit signed in with, for `resource` (default: this
 * server's) and `scope` (default: what the audit's token was granted). Headless only: the
 * authorization URL is requested and its redirects followed without a browser (servers that approve
 * without a person), or the client credentials grant when the connection uses it. Everything issued
 * is redacted; nothing is stored. Returns the reason when it cannot.
 */
export async function mintToken(ctx: AuditContext, o: { resource?: string; scope?: string; purpose?: string } = {}): Promise<MintedToken | { reason: string }> {
  const conn = ctx.conn;
  const known = mintRefusals.get(conn);
  if (known) return { reason: known };
  const disc = ctx.facts.discovery ?? conn.auth.discovery;
  if (!disc) return { reason: 'the authorization server was not discovered' };
  const resource = o.resource ?? disc.resource;
  const scope = o.scope ?? ctx.facts.tokens?.scope;
  const grant = conn.auth.opts.grant ?? 'authorization_code';
  if (grant !== 'authorization_code' && grant !== 'client_credentials') return { reason: `another token is not obtained with the ${grant} grant` };
  const dpop = isDpopTokenType(ctx.facts.tokens?.token_type) ? await conn.auth.resourceDpop() : undefined;
  // The flow panel shows these sign-ins next to the audit's own one: say what each is for.
  conn.trace.note('audit', 'info', `${o.purpose ?? 'a token for a probe'}: another ${grant === 'client_credentials' ? 'client credentials grant' : 'sign-in, headless,'} for resource ${resource}${scope ? ` and scope "${scope}"` : ''}`, 'RFC 8707 §2');
  try {
    if (grant === 'client_credentials') {
      const client = conn.auth.client;
      if (!client) return { reason: 'the client credentials grant has no client' };
      const tokens = await clientCredentialsGrant(conn.ctx, { as: disc.as, client, resource, scope: scope || undefined, dpop });
      conn.redactor.addSecret(tokens.access_token);
      conn.redactor.addSecret(tokens.refresh_token);
      return { tokens, client };
    }
    const { tokens, client } = await authorizeWithCode(conn.ctx, {
      as: disc.as,
      resource,
      scope: scope || undefined,
      client: conn.auth.client,
      clientConfig: conn.auth.opts.client,
      browser: createHeadlessBrowser({ fetch: conn.fetch }),
      backCompat: disc.backCompat,
      knownHosts: conn.auth.knownHosts,
      timeoutMs: 15_000,
      redirectHost: conn.auth.opts.redirectHost,
      redirectPort: conn.auth.opts.redirectPort,
      dpop,
    });
    conn.redactor.addSecret(tokens.access_token);
    conn.redactor.addSecret(tokens.refresh_token);
    return { tokens, client };
  } catch (err) {
    const text = conn.redactor.text(err instanceof Error ? err.message : String(err));
    // The headless walk stopped at a page: this authorization server needs a person each time.
    if (isInspectorError(err, 'authorization_denied') && err.step === STEP.headlessAuthorization) {
      const reason = `a second sign-in needs a person at the authorization server (${text})`;
      mintRefusals.set(conn, reason);
      return { reason };
    }
    return { reason: `the authorization server did not issue it: ${text}` };
  }
}

/** Scopes a token holds: the token response's `scope`, else the JWT's `scope`/`scp` claim. */
export function heldScopes(tokens: TokenSet, claims?: Record<string, unknown>): string[] | undefined {
  if (typeof tokens.scope === 'string') return tokens.scope.split(/\s+/).filter(Boolean);
  const s = claims?.scope ?? claims?.scp;
  if (typeof s === 'string') return s.split(/\s+/).filter(Boolean);
  if (Array.isArray(s)) return s.filter((x): x is string => typeof x === 'string');
  return undefined;
}

/** Scopes the authorization server and the resource advertise. */
export function advertisedScopes(ctx: AuditContext): string[] {
  const disc = ctx.facts.discovery ?? ctx.conn.auth.discovery;
  const out = new Set<string>();
  for (const s of disc?.as.scopes_supported ?? []) out.add(s);
  for (const s of disc?.resourceMetadata?.scopes_supported ?? []) out.add(s);
  return [...out];
}

/**
 * A token lacking `missing`: a sign-in asking for the advertised scopes (and what the audit's token
 * holds) minus those. Returns the reason when none can be had or the server granted them anyway.
 */
export function mintWithout(ctx: AuditContext, missing: readonly string[]): Promise<MintedToken | { reason: string }> {
  // One token per scope set for the whole audit: the resource-server and tool-security probes often
  // need the same one (it is only presented, never revoked).
  const perConn = narrowTokens.get(ctx.conn) ?? new Map<string, Promise<MintedToken | { reason: string }>>();
  narrowTokens.set(ctx.conn, perConn);
  const key = [...new Set(missing)].sort().join(' ');
  let p = perConn.get(key);
  if (!p) perConn.set(key, (p = mintWithoutNow(ctx, missing)));
  return p;
}

const narrowTokens = new WeakMap<object, Map<string, Promise<MintedToken | { reason: string }>>>();

async function mintWithoutNow(ctx: AuditContext, missing: readonly string[]): Promise<MintedToken | { reason: string }> {
  const base = new Set([...advertisedScopes(ctx), ...(ctx.facts.tokens?.scope?.split(/\s+/).filter(Boolean) ?? [])]);
  for (const s of missing) base.delete(s);
  base.delete('openid');
  const scope = [...base].join(' ');
  if (!scope) return { reason: `no scope is advertised besides ${missing.join(' ')}, so a token without ${missing.length > 1 ? 'them' : 'it'} cannot be asked for` };
  const minted = await mintToken(ctx, { scope, purpose: `a token without ${missing.join(' ')}` });
  if ('reason' in minted) return minted;
  const held = heldScopes(minted.tokens);
  if (held && missing.some((m) => held.includes(m))) return { reason: `asked for "${scope}", the authorization server granted "${held.join(' ')}" anyway` };
  return minted;
}
