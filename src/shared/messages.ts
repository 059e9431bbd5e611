/**
 * One MCP message as the message log keeps it (src/core/mcp/messageLog.ts): both directions, every
 * JSON-RPC kind, with the HTTP exchange it rode on. Shared by the engine, the Messages panel, the
 * exports (src/present/messages.ts) and the CLI. Secrets never get here: the payload is redacted and
 * the Authorization header is a label naming which token went out ("Bearer …(redacted, token #1)").
 * No vscode, no DOM.
 * @see https://www.jsonrpc.org/specification#request_object
 * @see https://modelcontextprotocol.io/specification/2025-06-18/basic#messages
 */

import type { ServerSummary } from './serverSummary';

/** 'out': client → server; 'in': server → client. */
export type MessageDirection = 'out' | 'in';

/** The JSON-RPC kind of a message (JSON-RPC 2.0 §4, §5). */
export type MessageKind = 'request' | 'result' | 'error' | 'notification';

/**
 * Who a message was sent for, when not the inspector's own panels: 'app-view' — an MCP App view
 * (its tools/call or resources/read through the same connection, src/vscode/webviews/appViewPanel.ts),
 * set on the request and on the answer to it.
 */
export type MessageOrigin = 'app-view';
export const MESSAGE_ORIGINS: readonly MessageOrigin[] = ['app-view'];

export const MESSAGE_DIRECTIONS: readonly MessageDirection[] = ['out', 'in'];
export const MESSAGE_KINDS: readonly MessageKind[] = ['request', 'result', 'error', 'notification'];

/** The log levels of `notifications/message` (RFC 5424 severities, as MCP spells them). */
export const LOG_LEVELS = ['debug', 'info', 'notice', 'warning', 'error', 'critical', 'alert', 'emergency'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** The HTTP exchange a message rode on (absent for stdio). */
export interface MessageHttp {
  /** The trace exchange id (the OAuth flow panel shows that exchange). */
  exchange?: number;
  method: string;
  /** Redacted URL. */
  url: string;
  status?: number;
  /**
   * The request headers that matter (content type, accept, session and protocol headers, the
   * mirrored `Mcp-*` headers), redacted; `authorization` is a label such as
   * "Bearer …(redacted, token #1)", never the token.
   */
  requestHeaders: Record<string, string>;
  /** The response headers that matter (content type, session id, protocol version, WWW-Authenticate), redacted. */
  responseHeaders?: Record<string, string>;
  /** How many HTTP attempts the message took (more than 1 after a challenge and a retry). */
  attempts?: number;
  /** Why the exchange failed, when it did (redacted). */
  error?: string;
}

export interface MessageEntry {
  /** Increasing per log; stable while the entry is kept. */
  seq: number;
  /** Epoch milliseconds when the message was sent or received. */
  at: number;
  direction: MessageDirection;
  kind: MessageKind;
  /** The JSON-RPC method; for a result or an error, the method of the request it answers (when known). */
  method?: string;
  /** The JSON-RPC id (requests, results, errors). */
  id?: string | number;
  /** The level of a `notifications/message` log entry, as the server sent it (capped). */
  level?: string;
  /** The logger name of a `notifications/message` entry. */
  logger?: string;
  /** For a result or an error: milliseconds since its request was sent or received. */
  durationMs?: number;
  /** For a result or an error: the seq of the request it answers, when still known. */
  replyTo?: number;
  /** The JSON-RPC error code of an error response. */
  errorCode?: number;
  /** The protocol in force when the message went: the negotiated version and era. */
  protocol?: { version?: string; era?: 'stateless-2026' | 'session' };
  transport?: 'streamable-http' | 'sse' | 'stdio';
  /** Sent on behalf of an MCP App view (the request, and the answer to it); absent for the inspector's own. */
  origin?: MessageOrigin;
  http?: MessageHttp;
  /** The message as JSON text, secrets redacted, at most the log's payload cap. */
  payload: string;
  /** Set when the payload was cut: the length of the whole redacted JSON text. */
  truncatedFrom?: number;
}

/** A snapshot of a message log: its entries (oldest first) and how many older ones it let go. */
export interface MessageLogSnapshot {
  entries: MessageEntry[];
  /** Entries dropped since the log began (or was last cleared) because it was full. */
  dropped: number;
  maxEntries: number;
}

/* ------------------------------------------------------- the Messages panel's protocol (protocol.ts) */

/** The Messages panel's state: the log as it is now. `generation` changes when the log is replaced (reconnect) or cleared. */
export interface MessagesState {
  server: ServerSummary;
  generation: number;
  entries: MessageEntry[];
  dropped: number;
  maxEntries: number;
}

export const MESSAGE_EXPORT_FORMATS = ['jsonl', 'markdown'] as const;
export type MessageExportFormat = (typeof MESSAGE_EXPORT_FORMATS)[number];
export const COPY_FORMATS = ['curl', 'fetch'] as const;

export interface MessageRequests {
  /** Forget every message of the panel's server (the engine's log, not only the view). */
  'messages/clear': { params: Record<string, never>; result: { cleared: boolean } };
  /** Save the log where the person picks in a save dialog (the webview names no path). */
  'messages/export': { params: { format: MessageExportFormat }; result: { saved: boolean; file?: string } };
  /** Copy the request a logged message went out in, as curl or fetch (src/present/curl.ts), to the clipboard. */
  'messages/copy': { params: { seq: number; as: (typeof COPY_FORMATS)[number] }; result: { copied: boolean } };
  /** The OAuth flow panel: copy the request of this trace exchange as curl or fetch. */
  'flow/copyRequest': { params: { exchange: number; as: (typeof COPY_FORMATS)[number] }; result: { copied: boolean } };
}

export interface MessageNotifications {
  'state/messages': MessagesState;
  /** New entries since the last push, for the same `generation`; `dropped` is the log's count now. */
  'messages/append': { generation: number; entries: MessageEntry[]; dropped: number };
}

export interface MessageCommands {
  /** The panel filtered its entries: how many, how many shown, and the milliseconds it took (measured in the webview). */
  'messages/filtered': { entries: number; shown: number; ms: number };
}

const isRec = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);
const isSeq = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v > 0;
const isCopy = (v: unknown) => typeof v === 'string' && (COPY_FORMATS as readonly string[]).includes(v);

export const MESSAGE_REQUEST_PARAMS: { [M in keyof MessageRequests]: (p: unknown) => p is MessageRequests[M]['params'] } = {
  'messages/clear': (p): p is Record<string, never> => p === undefined || (isRec(p) && Object.keys(p).length === 0),
  'messages/export': (p): p is MessageRequests['messages/export']['params'] =>
    isRec(p) && typeof p.format === 'string' && (MESSAGE_EXPORT_FORMATS as readonly string[]).includes(p.format) && Object.keys(p).length === 1,
  'messages/copy': (p): p is MessageRequests['messages/copy']['params'] => isRec(p) && isSeq(p.seq) && isCopy(p.as) && Object.keys(p).length === 2,
  'flow/copyRequest': (p): p is MessageRequests['flow/copyRequest']['params'] => isRec(p) && isSeq(p.exchange) && isCopy(p.as) && Object.keys(p).length === 2,
};

export const MESSAGE_COMMAND_PARAMS: { [M in keyof MessageCommands]: (p: unknown) => p is MessageCommands[M] } = {
  'messages/filtered': (p): p is MessageCommands['messages/filtered'] =>
    isRec(p) && Number.isSafeInteger(p.entries) && Number.isSafeInteger(p.shown) && Number.isFinite(p.ms) && (p.ms as number) >= 0 && Object.keys(p).length === 3,
};
