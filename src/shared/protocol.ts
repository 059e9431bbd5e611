/**
 * The one typed protocol between the extension host and the webview panels (GitLens
 * `webviews/protocol.ts` style). No vscode, no DOM: both sides import it.
 *
 * Three shapes travel:
 *  - requests (webview → host) carry an `id` and get exactly one reply with the same `id`;
 *  - commands (webview → host) are fire-and-forget;
 *  - notifications (host → webview) push state.
 *
 * The host validates every incoming message with `parseWebviewMessage` and drops anything else
 * (unknown method, wrong shape, oversize). A webview can never name a URL to open or a command to
 * run: it names a tool, a server it was opened for, or one of the fixed actions below.
 *
 * Over ~450 lines on purpose: one list of every panel's messages with its validator next to it, so a
 * new message cannot be added without saying how the host checks it. Panels with a protocol of their
 * own (resources.ts, messages.ts, appView.ts) keep theirs apart and are merged in here.
 */

import type { AuditCategory, AuditCheck, AuditLevel, AuditReport, AuditSummary } from './audit';
import type { ErrorView, FindingLevel, TokenCheckLabel, TokenFindingCode, TraceStep } from './codes';
import { RESOURCE_REQUEST_PARAMS, type ResourceNotifications, type ResourceRequests } from './resources';
import { APP_REQUEST_PARAMS, type AppNotifications, type AppRequests } from './appView';
import { MESSAGE_COMMAND_PARAMS, MESSAGE_REQUEST_PARAMS, type MessageCommands, type MessageNotifications, type MessageRequests } from './messages';
import type { ServerSummary } from './serverSummary';

/** The panels. One panel per (kind, server). */
export type PanelKind = 'tools' | 'token' | 'flow' | 'audit' | 'resources' | 'prompts' | 'messages' | 'app';
export const PANEL_KINDS: readonly PanelKind[] = ['tools', 'token', 'flow', 'audit', 'resources', 'prompts', 'messages', 'app'];

/** What a panel persists with `setState` so VS Code can restore it after a window reload. */
export interface PanelState {
  kind: PanelKind;
  serverId: string;
  /** The tool selected in the tools panel; the resource URI, template or prompt in those panels. */
  tool?: string;
}

/* ------------------------------------------------------------------ data shapes (host → webview) */

export type Level = FindingLevel;

export type { ServerSummary };

/** Where a tool's security declaration came from: its `securitySchemes`, its `_meta.securitySchemes`, or nowhere (the server's default). */
export type SecuritySource = 'securitySchemes' | '_meta.securitySchemes' | 'default';

/**
 * A tool's security: the one declaration every layer uses. The engine's `ToolSecurity`
 * (src/core/mcp/toolSecurity.ts) is derived from it (these facts, plus the declared schemes and the
 * refused call in full); it lives here because the webview may import only src/shared.
 */
export interface SecurityView {
  /** 'public': noauth only; 'oauth': oauth2 only; 'both': either; 'default': undeclared (the server's default). */
  kind: 'public' | 'oauth' | 'both' | 'default';
  /** May be called without a token. */
  anonymous: boolean;
  /** Whether a token is needed at all (false for noauth-only). */
  requiresAuth: boolean;
  /** The smallest scope set of the oauth2 schemes (empty when none). */
  scopesNeeded: string[];
  /** Scopes the current token holds. */
  scopesHeld: string[];
  /** scopesNeeded minus scopesHeld. */
  missing: string[];
  /** The current token covers the tool (or the tool needs none). */
  covered: boolean;
  source: SecuritySource;
  /**
   * Declared and observed disagree: the tool is declared callable without a token (noauth) but the
   * server refused such a call. `message` says both, e.g. "declared public (noauth), but the server
   * answered 401 to a call without a token".
   */
  mismatch?: { declared: string; status: number; message: string };
}

export interface ToolView {
  name: string;
  title?: string;
  description?: string;
  /** The tool's `annotations` as the server sent them (rendered as text). */
  annotations?: Record<string, unknown>;
  inputSchema: unknown;
  outputSchema?: unknown;
  security: SecurityView;
  /** The tool's MCP App view (SEP-1865 `_meta.ui.resourceUri`, or the Apps SDK template): "Open view". */
  view?: { uri: string };
}

/** One content part of a tool result, as the server sent it (the webview renders by `type`). */
export type ContentPart = Record<string, unknown> & { type: string };

export interface CallRecord {
  id: number;
  tool: string;
  at: number;
  durationMs: number;
  args: Record<string, unknown>;
  /** Whether the call carried a token. */
  authenticated: boolean;
  /**
   * Milliseconds of the call spent signing in (discovery, registration, the browser, the code
   * exchange); `durationMs` is then the call's own time without them. Absent when it did not sign in.
   */
  signInMs?: number;
  ok: boolean;
  isError?: boolean;
  content?: ContentPart[];
  structuredContent?: unknown;
  /** outputSchema check of structuredContent: undefined when there is nothing to check. */
  outputCheck?: { valid: boolean; errors: string[] };
  /**
   * An error that is not a tool result (transport, OAuth): what failed (`message`, the bare detail),
   * where (`step`, `url`) and what to do (`hint`), as fields the panel composes (codes.ts errorText).
   * For an authorization problem (codes.ts isAuthProblem), `scopes` are what the server asks for:
   * the panel offers "Sign in and call" with them.
   */
  error?: ErrorView & { scopes?: string[] };
  /** The JSON-RPC request and response (or error), secrets redacted. */
  rpc: { request: unknown; response: unknown };
  /**
   * A summary in a state push (older history entries): no content, arguments or JSON-RPC; the
   * panel asks for the full record with `tools/record` when it is shown.
   */
  partial?: boolean;
}

export interface ToolsState {
  server: ServerSummary;
  tools: ToolView[];
  history: CallRecord[];
  selected?: string;
  /**
   * A sign-in of this server waiting for the browser to come back, with the host the user signs in
   * at. The panel offers "Copy sign-in link", "Open again" and "Cancel"; the URL itself stays in the
   * host (the webview asks for those actions, it never holds or names the URL).
   */
  signIn?: { host: string };
}

export interface TokenClaimRow {
  name: string;
  /** JSON text of the value. */
  value: string;
  /** For time claims: epoch seconds. */
  time?: number;
}

/** One check of the token (signature, issuer, audience, lifetime, …) as a pass/info/warn/fail row. */
export interface TokenCheck {
  /** What was checked, in plain words: "Signature", "Issuer", "Audience", "Lifetime", … */
  check: TokenCheckLabel;
  level: Level;
  message: string;
  /** The inspection's stable finding code (e.g. "audience_mismatch"). */
  code?: TokenFindingCode;
}

export interface TokenToolRow {
  name: string;
  needed: string[];
  missing: string[];
  covered: boolean;
  requiresAuth: boolean;
}

export interface TokenState {
  server: ServerSummary;
  signedIn: boolean;
  format?: 'jwt' | 'opaque';
  /** Where the claims come from: the JWT itself, introspection (RFC 7662), or only the token response. */
  source?: 'jwt' | 'introspection' | 'token-response';
  /** token_type from the token response (e.g. "Bearer"). */
  tokenType?: string;
  /** How the token was obtained (authorization_code, refresh_token, …). */
  grant?: string;
  /** The client the token was issued to and how it was registered. Never its secret. */
  clientId?: string;
  registration?: string;
  header?: TokenClaimRow[];
  claims?: TokenClaimRow[];
  verified?: boolean;
  issuer?: string;
  audience?: string[];
  expectedAudience?: string;
  subject?: string;
  scopes: string[];
  /** Epoch seconds. */
  expiresAt?: number;
  issuedAt?: number;
  hasRefreshToken: boolean;
  findings: TokenCheck[];
  tools: TokenToolRow[];
  /** Whether the tool list is known (the server is connected); otherwise `tools` is empty. */
  toolsKnown: boolean;
}

export interface FlowExchange {
  /** The trace entry id. */
  id: number;
  at: number;
  durationMs: number;
  purpose: string;
  method: string;
  url: string;
  requestHeaders: Record<string, string>;
  requestBody?: string;
  /** Characters of the request body not sent to the panel (capped; the export has more). */
  requestBodyOmitted?: number;
  status?: number;
  responseHeaders?: Record<string, string>;
  responseBody?: string;
  responseBodyOmitted?: number;
  bytes?: number;
  error?: string;
  level: Level;
  /** The verdict on this exchange in plain words. */
  finding: string;
}

/** A note of the flow: what the engine concluded at a step, with the spec section it checks. */
export interface FlowFinding {
  id: number;
  at: number;
  level: Level;
  message: string;
  spec?: string;
}

/** One step of the flow: consecutive trace entries of the same step, notes and exchanges together. */
export interface FlowStep {
  /** The id of the step's first trace entry (stable while the trace grows). */
  id: number;
  /** e.g. "protected resource metadata" (src/shared/codes.ts STEP), "MCP tools/list". */
  step: TraceStep;
  at: number;
  /** Sum of the exchanges' durations. */
  durationMs: number;
  /** The worst level among the step's findings and exchanges. */
  level: Level;
  /** The step's headline in plain words (its worst finding, or its last). */
  finding: string;
  /** The spec section(s) the step implements: its notes' own, else the step's default. */
  spec?: string;
  findings: FlowFinding[];
  exchanges: FlowExchange[];
}

export interface FlowCounts {
  pass: number;
  info: number;
  warn: number;
  fail: number;
}

/**
 * The server's `initialize` result (MCP lifecycle): the negotiated protocol version, the server's
 * name, version and title, its capabilities as "name (flags)" lines, its instructions. All server text.
 */
export interface InitializeView {
  protocolVersion?: string;
  /** How the version was negotiated: "2026-07-28 stateless, by server/discover" / "session, by initialize" (our words, not the server's). */
  negotiation?: string;
  serverName?: string;
  serverVersion?: string;
  serverTitle?: string;
  capabilities: string[];
  instructions?: string;
  /** The server's icons as text ("image/png, 48x48, data: (1.2 KB)", "https://…") — never fetched. */
  icons?: string[];
  /** The one icon safe to show: a raster `data:` image (PNG, JPEG, GIF, WebP), capped (present/serverInfo.ts). */
  iconDataUri?: string;
}

export interface FlowState {
  server: ServerSummary;
  /**
   * Open the step holding this exchange and scroll to it (the Audit panel's "show exchange"). `seq`
   * changes with every ask, so the same exchange can be shown twice; a state push with the same
   * `seq` leaves the view where the person put it.
   */
  reveal?: { exchange: number; seq: number };
  /** What the server answered to `initialize`, once connected. */
  initialize?: InitializeView;
  steps: FlowStep[];
  /** Steps by level. */
  counts: FlowCounts;
  /** Trace entries behind the steps. */
  entries: number;
}

/** One spec section of an audit check, with the https page it names when known (src/present/auditView.ts). */
export interface SpecLink {
  text: string;
  url?: string;
}

export interface AuditCheckView extends AuditCheck {
  specLinks: SpecLink[];
}

/** One category of the audit: its worst level, its counts, its checks (failures first). */
export interface AuditGroupView {
  category: AuditCategory;
  label: string;
  level: AuditLevel;
  summary: AuditSummary;
  checks: AuditCheckView[];
}

/** An audit report as the panel shows it: the categories with failures first. */
export interface AuditReportView extends Omit<AuditReport, 'checks'> {
  groups: AuditGroupView[];
}

export interface AuditState {
  server: ServerSummary;
  /** An audit of this server is running (Re-run waits; the report below is the previous one). */
  running?: { since: number };
  /** The last audit's report. */
  report?: AuditReportView;
  /** Which tools the last audit called: only those annotated read-only, or all (after the person said so). */
  callTools?: 'read-only' | 'all';
  /** Why the last audit did not produce a report (cancelled, or it could not run at all). */
  error?: { code: string; message: string; hint?: string };
  /**
   * Whether the report's exchanges are still in the OAuth flow panel's trace ("show exchange"); a
   * reconnect starts a new trace.
   */
  exchangesShown: boolean;
}

export const AUDIT_EXPORT_FORMATS = ['markdown', 'json', 'junit'] as const;
export type AuditExportFormat = (typeof AUDIT_EXPORT_FORMATS)[number];

/* --------------------------------------------------------------- requests (webview → host, replied) */

/** The Resources and Prompts panels' requests: src/shared/resources.ts. */
export interface Requests extends ResourceRequests, MessageRequests, AppRequests {
  /** Call a tool. `signIn: true` signs in / steps up first for the tool's missing scopes. */
  'tools/call': { params: { tool: string; args: Record<string, unknown>; signIn?: boolean }; result: CallRecord };
  /** One call record of the panel's server in full (history entries arrive as summaries). */
  'tools/record': { params: { id: number }; result: CallRecord };
  /** Connect (or reconnect) the panel's server: initialize and list its tools. */
  'server/connect': { params: Record<string, never>; result: ServerSummary };
  /** Sign in (or step up) for these scopes (the scopes a tool needs). */
  'auth/signIn': { params: { scopes: string[] }; result: ServerSummary };
  'auth/refresh': { params: Record<string, never>; result: ServerSummary };
  'auth/signOut': { params: Record<string, never>; result: ServerSummary };
  /** Copy the access token to the clipboard: an explicit user action, the only way the raw token leaves SecretStorage. */
  'token/copy': { params: Record<string, never>; result: { copied: boolean } };
  /** Export the flow as Markdown into a new editor. */
  'flow/export': { params: Record<string, never>; result: { opened: boolean } };
  /** Copy the authorization URL of the sign-in waiting for the browser (it holds no secret). */
  'auth/copyLink': { params: Record<string, never>; result: { copied: boolean } };
  /** Open the waiting sign-in's authorization URL again, through the same opener (never a URL the webview names). */
  'auth/openAgain': { params: Record<string, never>; result: { opened: boolean } };
  /** End the wait for the browser (the sign-in fails as cancelled; the session stays connected). */
  'auth/cancel': { params: Record<string, never>; result: { cancelled: boolean } };
  /** Run the audit of the panel's server again (the host asks before calling tools with side effects). */
  'audit/run': { params: Record<string, never>; result: { ran: boolean } };
  /** Save the last report in a format, where the person picks in a save dialog (the webview names no path). */
  'audit/export': { params: { format: AuditExportFormat }; result: { saved: boolean; file?: string } };
  /** Open the OAuth flow panel of the panel's server at this trace exchange. */
  'audit/showExchange': { params: { exchange: number }; result: { shown: boolean } };
}
export type RequestMethod = keyof Requests;

/* --------------------------------------------------------------------- commands (webview → host) */

export interface Commands extends MessageCommands {
  /** The webview has loaded and wants its state. */
  ready: Record<string, never>;
  /** Remember the selected tool (persisted for restore). */
  'tools/select': { tool: string };
  /** Re-read the state (after a refresh button). */
  reload: Record<string, never>;
  /**
   * The tools panel rendered a `state/tools` push: how many tools, and the milliseconds from the
   * message's arrival to the end of DOM building, style and layout, measured in the webview.
   */
  'tools/rendered': { tools: number; ms: number };
}
export type CommandMethod = keyof Commands;

/* --------------------------------------------------------------- notifications (host → webview) */

export interface Notifications extends ResourceNotifications<ServerSummary>, MessageNotifications, AppNotifications<ServerSummary> {
  'state/tools': ToolsState;
  'state/token': TokenState;
  'state/flow': FlowState;
  'state/audit': AuditState;
  /** A message for the user (e.g. "Copied"). */
  toast: { level: Level; message: string };
}
export type NotificationMethod = keyof Notifications;

/* ------------------------------------------------------------------------------------ envelopes */

export type WebviewToHost =
  | { type: 'request'; id: number; method: RequestMethod; params: unknown }
  | { type: 'command'; method: CommandMethod; params: unknown };

export type HostToWebview =
  | { type: 'reply'; id: number; ok: true; result: unknown }
  | { type: 'reply'; id: number; ok: false; error: ErrorView }
  | { type: 'notify'; method: NotificationMethod; params: unknown };

/** Largest message the host accepts from a webview (serialized). Tool arguments are the big ones. */
export const MAX_MESSAGE_CHARS = 256 * 1024;

const MAX_NAME = 256;
const MAX_SCOPES = 64;

const isRecord = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);
const isName = (v: unknown): v is string => typeof v === 'string' && v.length > 0 && v.length <= MAX_NAME;
const isEmpty = (v: unknown) => v === undefined || (isRecord(v) && Object.keys(v).length === 0);
const isScope = (v: unknown): v is string => typeof v === 'string' && /^[\x21\x23-\x5b\x5d-\x7e]{1,128}$/.test(v); // RFC 6749 §3.3 scope-token

/** Per-method parameter checks: the only methods the host answers. */
const REQUEST_PARAMS: { [M in RequestMethod]: (p: unknown) => p is Requests[M]['params'] } = {
  'tools/call': (p): p is Requests['tools/call']['params'] =>
    isRecord(p) && isName(p.tool) && isRecord(p.args) && (p.signIn === undefined || typeof p.signIn === 'boolean') && Object.keys(p).every((k) => ['tool', 'args', 'signIn'].includes(k)),
  'auth/signIn': (p): p is Requests['auth/signIn']['params'] =>
    isRecord(p) && Array.isArray(p.scopes) && p.scopes.length <= MAX_SCOPES && p.scopes.every(isScope) && Object.keys(p).length === 1,
  'tools/record': (p): p is Requests['tools/record']['params'] => isRecord(p) && Number.isSafeInteger(p.id) && (p.id as number) >= 0 && Object.keys(p).length === 1,
  'server/connect': (p): p is Record<string, never> => isEmpty(p),
  'auth/refresh': (p): p is Record<string, never> => isEmpty(p),
  'auth/signOut': (p): p is Record<string, never> => isEmpty(p),
  'token/copy': (p): p is Record<string, never> => isEmpty(p),
  'flow/export': (p): p is Record<string, never> => isEmpty(p),
  'auth/copyLink': (p): p is Record<string, never> => isEmpty(p),
  'auth/openAgain': (p): p is Record<string, never> => isEmpty(p),
  'auth/cancel': (p): p is Record<string, never> => isEmpty(p),
  'audit/run': (p): p is Record<string, never> => isEmpty(p),
  'audit/export': (p): p is Requests['audit/export']['params'] =>
    isRecord(p) && typeof p.format === 'string' && (AUDIT_EXPORT_FORMATS as readonly string[]).includes(p.format) && Object.keys(p).length === 1,
  'audit/showExchange': (p): p is Requests['audit/showExchange']['params'] => isRecord(p) && Number.isSafeInteger(p.exchange) && (p.exchange as number) > 0 && Object.keys(p).length === 1,
  ...RESOURCE_REQUEST_PARAMS,
  ...MESSAGE_REQUEST_PARAMS,
  ...APP_REQUEST_PARAMS,
};

const COMMAND_PARAMS: { [M in CommandMethod]: (p: unknown) => p is Commands[M] } = {
  ready: (p): p is Record<string, never> => isEmpty(p),
  reload: (p): p is Record<string, never> => isEmpty(p),
  'tools/select': (p): p is Commands['tools/select'] => isRecord(p) && isName(p.tool) && Object.keys(p).length === 1,
  'tools/rendered': (p): p is Commands['tools/rendered'] =>
    isRecord(p) && Number.isSafeInteger(p.tools) && (p.tools as number) >= 0 && Number.isFinite(p.ms) && (p.ms as number) >= 0 && Object.keys(p).length === 2,
  ...MESSAGE_COMMAND_PARAMS,
};

export type ParsedMessage =
  | { ok: true; message: { type: 'request'; id: number; method: RequestMethod; params: unknown } | { type: 'command'; method: CommandMethod; params: unknown } }
  | { ok: false; reason: string; /** set when the message was a request we can answer with an error */ id?: number };

/**
 * Validate a message from a webview. Anything that is not exactly one of the known requests or
 * commands with well-formed parameters is refused with a reason (for the log; never echoed).
 */
export function parseWebviewMessage(raw: unknown): ParsedMessage {
  let size: number;
  try {
    size = JSON.stringify(raw)?.length ?? 0;
  } catch {
    return { ok: false, reason: 'not serializable' };
  }
  if (size > MAX_MESSAGE_CHARS) return { ok: false, reason: `oversize message (${size} characters, limit ${MAX_MESSAGE_CHARS})`, id: requestId(raw) };
  if (!isRecord(raw)) return { ok: false, reason: 'not an object' };
  const method = raw.method;
  if (raw.type === 'request') {
    const id = requestId(raw);
    if (id === undefined) return { ok: false, reason: 'request without a numeric id' };
    if (typeof method !== 'string' || !Object.hasOwn(REQUEST_PARAMS, method)) return { ok: false, reason: `unknown request method ${JSON.stringify(String(method).slice(0, 40))}`, id };
    const m = method as RequestMethod;
    if (!REQUEST_PARAMS[m](raw.params)) return { ok: false, reason: `wrong parameters for ${m}`, id };
    return { ok: true, message: { type: 'request', id, method: m, params: raw.params ?? {} } };
  }
  if (raw.type === 'command') {
    if (typeof method !== 'string' || !Object.hasOwn(COMMAND_PARAMS, method)) return { ok: false, reason: `unknown command ${JSON.stringify(String(method).slice(0, 40))}` };
    const m = method as CommandMethod;
    if (!COMMAND_PARAMS[m](raw.params)) return { ok: false, reason: `wrong parameters for ${m}` };
    return { ok: true, message: { type: 'command', method: m, params: raw.params ?? {} } };
  }
  return { ok: false, reason: `unknown message type ${JSON.stringify(String(raw.type).slice(0, 40))}` };
}

function requestId(raw: unknown): number | undefined {
  const id = isRecord(raw) ? raw.id : undefined;
  return typeof id === 'number' && Number.isSafeInteger(id) && id >= 0 ? id : undefined;
}

/** Whether a restored panel state is well formed (it comes from the webview's storage). */
export function isPanelState(v: unknown): v is PanelState {
  return isRecord(v) && PANEL_KINDS.includes(v.kind as PanelKind) && isName(v.serverId) && (v.tool === undefined || isName(v.tool));
}
