/**
 * MCP Apps (SEP-1865, extension `io.modelcontextprotocol/ui`), the parts that are data: which tool has
 * a view, fetching that view's `ui://` resource, and the policies the editor's view host applies —
 * the view's Content Security Policy, its sandbox and permissions, which tool calls and links a view
 * may make. Everything here is judged as hostile server data (docs/SECURITY.md): a tool's `_meta`
 * and the resource's `_meta.ui` are checked field by field, and what is refused is returned as a list
 * for the panel to show, never silently dropped.
 *
 * The `ui/*` protocol itself is the official SDK's (`@modelcontextprotocol/ext-apps`, its AppBridge);
 * this module is what the host decides around it. Hand-written: the metadata checks and the policies.
 *
 * @see https://github.com/modelcontextprotocol/ext-apps/blob/main/specification/2026-01-26/apps.mdx
 * @see https://developers.openai.com/apps-sdk/reference (the Apps SDK's `openai/outputTemplate`)
 */
import { InspectorError } from '../errors';

/** The extension identifier a client declares in `capabilities.extensions` (SEP-1865). */
export const APPS_EXTENSION_ID = 'io.modelcontextprotocol/ui';
/** The MIME type of an MCP App view (SEP-1865 §UI resource format). */
export const APP_MIME_TYPE = 'text/html;profile=mcp-app';
/** The Apps SDK's MIME type for an `openai/outputTemplate` resource. */
export const OPENAI_TEMPLATE_MIME_TYPE = 'text/html+skybridge';
/** What this client declares for the extension: the view formats it renders. */
export const APPS_CLIENT_CAPABILITY: Record<string, string[]> = { mimeTypes: [APP_MIME_TYPE] };

/** A view's HTML larger than this is refused (a server cannot make the editor hold megabytes of page). */
export const MAX_VIEW_HTML_CHARS = 2_000_000;
const MAX_URI_CHARS = 2048;
const MAX_DOMAINS = 32;

/** How a tool names its view: the MCP Apps key, its deprecated flat spelling, or the Apps SDK template. */
export type ViewSource = 'mcp-apps' | 'mcp-apps-legacy' | 'openai';

export interface ToolView {
  uri: string;
  via: ViewSource;
}

/** Who may see a tool (SEP-1865 `_meta.ui.visibility`; absent: both). */
export interface ToolVisibility {
  model: boolean;
  app: boolean;
}

/** Why a tool's view metadata was not used. */
export type ToolViewRefusal = { code: 'not_ui_scheme' | 'not_a_string' | 'too_long'; via: ViewSource; detail: string };

export type ToolViewResult = { view: ToolView; refused?: undefined } | { view?: undefined; refused?: ToolViewRefusal };

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * The view a tool names: `_meta.ui.resourceUri`, else the deprecated `_meta["ui/resourceUri"]`, else
 * the Apps SDK's `_meta["openai/outputTemplate"]`. Only a `ui://` URI is a view (SEP-1865); anything
 * else (`https:`, `javascript:`, `file:`) is refused with the reason, and the tool has no view.
 */
export function toolViewOf(tool: { _meta?: unknown }): ToolViewResult {
  const meta = isRecord(tool._meta) ? tool._meta : undefined;
  if (!meta) return {};
  const ui = isRecord(meta.ui) ? meta.ui : undefined;
  const candidates: Array<[ViewSource, unknown]> = [
    ['mcp-apps', ui?.resourceUri],
    ['mcp-apps-legacy', meta['ui/resourceUri']],
    ['openai', meta['openai/outputTemplate']],
  ];
  for (const [via, value] of candidates) {
    if (value === undefined) continue;
    if (typeof value !== 'string') return { refused: { code: 'not_a_string', via, detail: `the view URI is a ${value === null ? 'null' : typeof value}, not a string` } };
    if (value.length > MAX_URI_CHARS) return { refused: { code: 'too_long', via, detail: `the view URI is ${value.length} characters (at most ${MAX_URI_CHARS})` } };
    if (!isUiUri(value)) return { refused: { code: 'not_ui_scheme', via, detail: `the view URI's scheme is ${JSON.stringify(schemeOf(value))}, and a view must be a ui:// resource` } };
    return { view: { uri: value, via } };
  }
  return {};
}

/** `ui://` exactly (case-insensitive scheme, as URL parsing would), with something after it and no control characters. */
function isUiUri(s: string): boolean {
  // eslint-disable-next-line no-control-regex
  return /^ui:\/\/[^\s\u0000-\u001f\u007f]+$/i.test(s);
}

function schemeOf(s: string): string {
  const m = /^\s*([a-z][a-z0-9+.-]*):/i.exec(s);
  return m ? m[1].toLowerCase().slice(0, 20) : '(none)';
}

/** `_meta.ui.visibility` (SEP-1865): `["model"]` hides the tool from views, `["app"]` from the model. */
export function toolVisibility(tool: { _meta?: unknown }): ToolVisibility {
  const meta = isRecord(tool._meta) ? tool._meta : undefined;
  const ui = meta && isRecord(meta.ui) ? meta.ui : undefined;
  const v = ui?.visibility;
  if (!Array.isArray(v)) return { model: true, app: true };
  return { model: v.includes('model'), app: v.includes('app') };
}

/* ---------------------------------------------------------------------------- the view resource */

/** SEP-1865 `McpUiResourceCsp`, after the checks: only origins that are safe to put in a CSP. */
export interface ViewCsp {
  connectDomains: string[];
  resourceDomains: string[];
  frameDomains: string[];
  baseUriDomains: string[];
}

/** The permissions a view may ask for (SEP-1865 `McpUiResourcePermissions`). */
export type ViewPermission = 'camera' | 'microphone' | 'geolocation' | 'clipboardWrite';
export const VIEW_PERMISSIONS: readonly ViewPermission[] = ['camera', 'microphone', 'geolocation', 'clipboardWrite'];

/** One thing the view's metadata asked for that the host does not give it. */
export interface ViewRefusal {
  /** What kind of thing: a CSP source, a permission, the view's own domain. */
  what: 'csp' | 'permission' | 'domain';
  /** The field it came from (`connectDomains`, `permissions.camera`, …). */
  field: string;
  /** The value as sent, cut to 120 characters (shown as text). */
  value: string;
  reason: string;
}

export interface AppView {
  uri: string;
  mimeType: string;
  html: string;
  csp: ViewCsp;
  /** Permissions the view declared and the host grants (the iframe's `allow`). */
  permissions: ViewPermission[];
  prefersBorder?: boolean;
  /** Everything declared and not granted, for the panel to list. */
  refused: ViewRefusal[];
}

const cut = (s: string, n = 120) => (s.length > n ? `${s.slice(0, n)}…` : s);

/**
 * One CSP source from a view's metadata: `https://host[:port]`, `https://*.host`, or `http://` to a
 * loopback host — an origin and nothing more. No keyword (`'unsafe-eval'`, `*`), no scheme-only
 * source (`data:`, `https:`), no path, and none of the characters that would end the source or the
 * directive (`;`, `,`, quotes, whitespace): a declared source can widen only what its field names.
 */
export function cspSource(raw: unknown): { ok: true; source: string } | { ok: false; reason: string } {
  if (typeof raw !== 'string') return { ok: false, reason: 'not a string' };
  if (raw.length > 253 + 20) return { ok: false, reason: 'too long for an origin' };
  // eslint-disable-next-line no-control-regex
  if (/[\s;,'"\u0000-\u001f\u007f\\]/.test(raw)) return { ok: false, reason: 'contains characters that would change the policy (space, ;, comma, quote, control)' };
  const m = /^(https?):\/\/(\*\.)?([a-z0-9-]+(?:\.[a-z0-9-]+)*|\[[0-9a-f:.]+\])(?::(\d{1,5}))?\/?$/i.exec(raw);
  if (!m) return { ok: false, reason: 'not an origin (scheme://host[:port]; a wildcard only as *.host)' };
  const [, scheme, wildcard, host, port] = m;
  const lower = host.toLowerCase();
  if (scheme.toLowerCase() === 'http' && !isLoopbackHost(lower)) return { ok: false, reason: 'http:// only to a loopback host; use https://' };
  if (wildcard && !lower.includes('.')) return { ok: false, reason: 'a wildcard must stand under a registrable domain (*.example.com)' };
  if (port && Number(port) > 65535) return { ok: false, reason: 'the port is out of range' };
  return { ok: true, source: `${scheme.toLowerCase()}://${wildcard ?? ''}${lower}${port ? `:${port}` : ''}` };
}

function isLoopbackHost(h: string): boolean {
  return h === 'localhost' || h === '[::1]' || /^127(?:\.\d{1,3}){3}$/.test(h);
}

/** The view's resource `_meta.ui` (or, for an Apps SDK template, `openai/widgetCSP`), checked. */
export function viewMeta(meta: unknown): { csp: ViewCsp; permissions: ViewPermission[]; prefersBorder?: boolean; refused: ViewRefusal[] } {
  const refused: ViewRefusal[] = [];
  const csp: ViewCsp = { connectDomains: [], resourceDomains: [], frameDomains: [], baseUriDomains: [] };
  const permissions: ViewPermission[] = [];
  const m = isRecord(meta) ? meta : {};
  const ui = isRecord(m.ui) ? m.ui : {};
  // The Apps SDK spells the same lists openai/widgetCSP { connect_domains, resource_domains }.
  const openai = isRecord(m['openai/widgetCSP']) ? m['openai/widgetCSP'] : {};
  const declared = isRecord(ui.csp) ? ui.csp : {};
  const lists: Array<[keyof ViewCsp, unknown]> = [
    ['connectDomains', declared.connectDomains ?? openai.connect_domains],
    ['resourceDomains', declared.resourceDomains ?? openai.resource_domains],
    ['frameDomains', declared.frameDomains ?? openai.frame_domains],
    ['baseUriDomains', declared.baseUriDomains],
  ];
  for (const [field, value] of lists) {
    if (value === undefined) continue;
    if (!Array.isArray(value)) {
      refused.push({ what: 'csp', field, value: cut(JSON.stringify(value) ?? String(value)), reason: 'not a list of origins' });
      continue;
    }
    for (const [i, item] of value.entries()) {
      if (i >= MAX_DOMAINS) {
        refused.push({ what: 'csp', field, value: `${value.length - MAX_DOMAINS} more`, reason: `at most ${MAX_DOMAINS} origins per list` });
        break;
      }
      const r = cspSource(item);
      if (r.ok) {
        if (!csp[field].includes(r.source)) csp[field].push(r.source);
      } else refused.push({ what: 'csp', field, value: cut(typeof item === 'string' ? item : JSON.stringify(item) ?? String(item)), reason: r.reason });
    }
  }
  if (isRecord(ui.permissions)) {
    for (const [key, value] of Object.entries(ui.permissions)) {
      if ((VIEW_PERMISSIONS as readonly string[]).includes(key) && isRecord(value)) permissions.push(key as ViewPermission);
      else refused.push({ what: 'permission', field: `permissions.${cut(key, 40)}`, value: cut(JSON.stringify(value) ?? ''), reason: 'not a permission a view may ask for (camera, microphone, geolocation, clipboardWrite)' });
    }
  }
  if (ui.domain !== undefined) {
    // A dedicated origin for the view: the editor always gives the view an opaque origin of its own.
    refused.push({ what: 'domain', field: 'domain', value: cut(String(ui.domain)), reason: 'the editor shows every view in an opaque origin of its own; a named domain is not used' });
  }
  return { csp, permissions, ...(typeof ui.prefersBorder === 'boolean' ? { prefersBorder: ui.prefersBorder } : {}), refused };
}

/**
 * What a resources/read result (resources.ts readResource of the view's URI) must hold to be shown
 * as the view for `view`: checked size, MIME type and metadata.
 */
export function appViewFromRead(view: ToolView, result: { contents?: unknown; _meta?: unknown }): AppView {
  const contents = Array.isArray(result.contents) ? result.contents : [];
  const wanted = view.via === 'openai' ? [APP_MIME_TYPE, OPENAI_TEMPLATE_MIME_TYPE] : [APP_MIME_TYPE];
  const fail = (detail: string, hint: string): never => {
    throw new InspectorError('mcp_request_failed', detail, { step: `resources/read ${cut(view.uri, 200)}`, hint });
  };
  const item = contents.find((c) => isRecord(c) && c.uri === view.uri) ?? (contents.length === 1 ? contents[0] : undefined);
  if (!isRecord(item)) return fail(`the server returned no content for ${cut(view.uri, 200)}`, 'The tool names a view the server does not serve; check the resource URI in the tool\'s _meta.ui.resourceUri');
  const mime = typeof item.mimeType === 'string' ? item.mimeType : '';
  if (!wanted.includes(normalizeMime(mime))) {
    return fail(`the view's MIME type is ${JSON.stringify(cut(mime, 60))}, not ${wanted.join(' or ')}`, 'A view must be served as text/html;profile=mcp-app (SEP-1865); nothing else is rendered');
  }
  let html: string;
  if (typeof item.text === 'string') html = item.text;
  else if (typeof item.blob === 'string') {
    if (item.blob.length > Math.ceil((MAX_VIEW_HTML_CHARS * 4) / 3) + 4) return fail(`the view is larger than ${MAX_VIEW_HTML_CHARS} characters`, 'Serve a smaller page (bundle assets, or load them from resourceDomains)');
    html = Buffer.from(item.blob, 'base64').toString('utf8');
  } else return fail('the view has neither text nor blob', 'Serve the HTML as the resource\'s text');
  if (html.length > MAX_VIEW_HTML_CHARS) return fail(`the view is ${html.length} characters, more than ${MAX_VIEW_HTML_CHARS}`, 'Serve a smaller page (bundle assets, or load them from resourceDomains)');
  // SEP-1865: the resource's _meta.ui on the content item; some servers put it on the result.
  const meta = isRecord(item._meta) ? item._meta : result._meta;
  const checked = viewMeta(meta);
  return { uri: view.uri, mimeType: normalizeMime(mime), html, ...checked };
}

function normalizeMime(m: string): string {
  return m.toLowerCase().replace(/\s+/g, '');
}

/* ------------------------------------------------------------------------ the host's policies */

/**
 * The view's Content Security Policy: nothing by default; its own inline script and style (a view is
 * one self-contained page); images, fonts, media, scripts and styles only from `resourceDomains`;
 * `fetch`/XHR/WebSocket only to `connectDomains`; nested frames only from `frameDomains`; no forms,
 * no `<base>` unless `baseUriDomains`. Nothing the view did not declare (SEP-1865 §security).
 */
export function viewCspHeader(csp: ViewCsp): string {
  const list = (xs: string[], none = "'none'") => (xs.length ? xs.join(' ') : none);
  const res = csp.resourceDomains.join(' ');
  const withRes = (base: string) => (res ? `${base} ${res}` : base);
  return [
    "default-src 'none'",
    withRes("script-src 'unsafe-inline'"),
    withRes("style-src 'unsafe-inline'"),
    withRes('img-src data: blob:'),
    withRes('font-src data:'),
    withRes('media-src data: blob:'),
    `connect-src ${list(csp.connectDomains)}`,
    `frame-src ${list(csp.frameDomains)}`,
    "object-src 'none'",
    `base-uri ${list(csp.baseUriDomains)}`,
    "form-action 'none'",
  ].join('; ');
}

/**
 * The App view panel page's CSP. A `srcdoc` frame inherits its parent's policy, so the page allows
 * what the view's own policy (viewCspHeader, also put in the frame's page) allows — inline script and
 * style, the declared origins — plus the panel's bundle and stylesheets by the webview's source
 * (`cspSource`). No nonce: it would switch 'unsafe-inline' off for the view's inline scripts. The
 * panel's script renders server text only as text (webview-ui/dom.ts).
 */
export function viewPanelCsp(cspSource: string, csp: ViewCsp = { connectDomains: [], resourceDomains: [], frameDomains: [], baseUriDomains: [] }): string {
  const res = csp.resourceDomains.join(' ');
  const plus = (base: string) => (res ? `${base} ${res}` : base);
  return [
    "default-src 'none'",
    plus(`script-src ${cspSource} 'unsafe-inline'`),
    plus(`style-src ${cspSource} 'unsafe-inline'`),
    plus(`font-src ${cspSource} data:`),
    plus(`img-src ${cspSource} data: blob:`),
    plus('media-src data: blob:'),
    `connect-src ${csp.connectDomains.length ? csp.connectDomains.join(' ') : "'none'"}`,
    `frame-src ${csp.frameDomains.length ? csp.frameDomains.join(' ') : "'none'"}`,
    "object-src 'none'",
    "form-action 'none'",
    "base-uri 'none'",
  ].join('; ');
}

/**
 * The iframe's `sandbox`: scripts only. Never `allow-same-origin` (the view would share the panel's
 * origin and could reach it), never `allow-top-navigation*`, `allow-popups`, `allow-forms` or
 * `allow-modals`: links go through the host's open-link request, with the URL policy and a confirmation.
 */
export const VIEW_SANDBOX = 'allow-scripts';

/** The iframe's `allow` (Permissions Policy) for the granted permissions; empty grants nothing. */
export function viewAllowAttribute(permissions: readonly ViewPermission[]): string {
  const names: Record<ViewPermission, string> = { camera: 'camera', microphone: 'microphone', geolocation: 'geolocation', clipboardWrite: 'clipboard-write' };
  return permissions.map((p) => `${names[p]} 'src'`).join('; ');
}

/** Why a view's request was refused (shown in the panel; the view gets a JSON-RPC error). */
export type ViewRefusalCode = 'tool_not_listed' | 'tool_model_only' | 'link_scheme' | 'link_invalid' | 'resource_not_ui';

export type ViewDecision = { ok: true } | { ok: false; code: ViewRefusalCode; reason: string };

/**
 * Whether a view may call `name`: only a tool the server lists, and not one whose visibility is the
 * model only (SEP-1865 `_meta.ui.visibility: ["model"]`).
 */
export function viewToolCallDecision(name: unknown, listed: ReadonlyArray<{ name: string; _meta?: unknown }>): ViewDecision {
  if (typeof name !== 'string') return { ok: false, code: 'tool_not_listed', reason: 'the tool name is not a string' };
  const tool = listed.find((t) => t.name === name);
  if (!tool) return { ok: false, code: 'tool_not_listed', reason: `the server does not list a tool named ${JSON.stringify(cut(name, 80))}` };
  if (!toolVisibility(tool).app) return { ok: false, code: 'tool_model_only', reason: `${JSON.stringify(cut(name, 80))} is visible only to the model (_meta.ui.visibility), not to views` };
  return { ok: true };
}

/** Whether a view may read `uri`: only `ui://` resources of the server (views read their own assets). */
export function viewResourceReadDecision(uri: unknown): ViewDecision {
  if (typeof uri !== 'string' || !isUiUri(uri) || uri.length > MAX_URI_CHARS) return { ok: false, code: 'resource_not_ui', reason: 'a view may read only ui:// resources of its server' };
  return { ok: true };
}

/**
 * Whether a view may ask to open `url`: `https:` (or `http:`), parsed as the browser would; every
 * other scheme (`javascript:`, `data:`, `file:`, `command:`, `vscode:`) refused in every spelling.
 * An allowed link is still opened only after the user confirms, showing its real host.
 */
export function viewLinkDecision(url: unknown): ViewDecision & { url?: URL } {
  if (typeof url !== 'string' || url.length > MAX_URI_CHARS) return { ok: false, code: 'link_invalid', reason: 'the link is not a URL' };
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(url)) return { ok: false, code: 'link_invalid', reason: 'the link carries control characters' };
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return { ok: false, code: 'link_invalid', reason: 'the link is not an absolute URL' };
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:') return { ok: false, code: 'link_scheme', reason: `links with the scheme ${JSON.stringify(u.protocol)} are not opened (https: and http: only)` };
  if (u.username || u.password) return { ok: false, code: 'link_invalid', reason: 'the link carries credentials (user:password@)' };
  return { ok: true, url: u };
}
