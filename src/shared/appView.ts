/**
 * What the App view panel (an MCP App's `ui://` view, SEP-1865) exchanges with the host
 * (shared/protocol.ts names the methods; the shapes and their parameter checks live here). No vscode,
 * no DOM. The view itself talks only to the panel's script (the official AppBridge); the panel relays
 * the view's requests here, and the host decides each one (src/core/mcp/apps.ts).
 */
import type { ErrorView } from './codes';

/** One thing the view's metadata asked for that the host does not give it (src/core/mcp/apps.ts ViewRefusal). */
export interface AppRefusalView {
  what: 'csp' | 'permission' | 'domain' | 'request';
  field: string;
  value: string;
  reason: string;
}

/** One request the view made, as the panel lists it. */
export interface AppCallView {
  at: number;
  /** `tools/call add_todo`, `resources/read ui://…`, `open link https://host`. */
  what: string;
  outcome: 'ok' | 'tool error' | 'refused' | 'failed' | 'needs sign-in';
  /** Whether the call carried the user's token. */
  authenticated?: boolean;
  detail?: string;
}

/** `S` is protocol.ts's ServerSummary (a parameter, so this file needs nothing from protocol.ts). */
export interface AppViewState<S = unknown> {
  server: S;
  /** The tool whose view this is. */
  tool: string;
  view?: {
    uri: string;
    /** The page, as the server sent it (shown only inside the sandboxed frame). */
    html: string;
    /** The CSP the frame's page gets: built from the declared origins and nothing more. */
    csp: string;
    /** The frame's `sandbox` and `allow` attributes. */
    sandbox: string;
    allow: string;
    prefersBorder?: boolean;
    /** `mcp-apps` or the Apps SDK's `openai` template. */
    via: string;
  };
  /** The tool call the view was opened for: its arguments and result (redacted). */
  input?: Record<string, unknown>;
  result?: unknown;
  /** Everything declared or asked for and refused, for the panel to list. */
  refused: AppRefusalView[];
  calls: AppCallView[];
  /** Why there is no view to show. */
  error?: ErrorView;
}

/** What a view's tool call came to, for the panel to relay to the view (or to offer a sign-in first). */
export type AppCallResult =
  | { kind: 'result'; result: unknown }
  | { kind: 'refused'; reason: string }
  | { kind: 'needs-sign-in'; code: string; scopes: string[]; message: string };

export interface AppRequests {
  /** From the tools panel: open the view of this tool, with the result of this call record. */
  'tools/openView': { params: { tool: string; record?: number }; result: { opened: boolean } };
  /** The view calls a tool of the server. `signIn`: the user chose to sign in / step up first. */
  'app/callTool': { params: { tool: string; args: Record<string, unknown>; signIn?: boolean }; result: AppCallResult };
  /** The view reads a `ui://` resource of the server. */
  'app/readResource': { params: { uri: string }; result: AppCallResult };
  /** The view asks to open a link: the URL policy, then the user confirms. */
  'app/openLink': { params: { url: string }; result: { opened: boolean; reason?: string } };
  /** The panel refused something the view asked of it (a message to the chat, a display mode): listed. */
  'app/refused': { params: { what: string; reason: string }; result: { listed: boolean } };
}

export interface AppNotifications<S = unknown> {
  'state/app': AppViewState<S>;
}

const isRecord = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);
const isName = (v: unknown): v is string => typeof v === 'string' && v.length > 0 && v.length <= 256;
const isText = (v: unknown, max: number): v is string => typeof v === 'string' && v.length > 0 && v.length <= max;
const keysIn = (p: Record<string, unknown>, keys: string[]) => Object.keys(p).every((k) => keys.includes(k));

export const APP_REQUEST_PARAMS: { [M in keyof AppRequests]: (p: unknown) => p is AppRequests[M]['params'] } = {
  'tools/openView': (p): p is AppRequests['tools/openView']['params'] =>
    isRecord(p) && isName(p.tool) && (p.record === undefined || (Number.isSafeInteger(p.record) && (p.record as number) >= 0)) && keysIn(p, ['tool', 'record']),
  'app/callTool': (p): p is AppRequests['app/callTool']['params'] =>
    isRecord(p) && isName(p.tool) && isRecord(p.args) && (p.signIn === undefined || typeof p.signIn === 'boolean') && keysIn(p, ['tool', 'args', 'signIn']),
  'app/readResource': (p): p is AppRequests['app/readResource']['params'] => isRecord(p) && isText(p.uri, 2048) && keysIn(p, ['uri']),
  'app/openLink': (p): p is AppRequests['app/openLink']['params'] => isRecord(p) && isText(p.url, 2048) && keysIn(p, ['url']),
  'app/refused': (p): p is AppRequests['app/refused']['params'] => isRecord(p) && isText(p.what, 80) && isText(p.reason, 300) && keysIn(p, ['what', 'reason']),
};
