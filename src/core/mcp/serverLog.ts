/**
 * Server logs and ping over an MCP session, per protocol era — what the session (session.ts) needs to
 * set the server's log level, hear its log messages and time a round trip.
 *
 * - Session era (2025-06-18 / 2025-11-25): `logging/setLevel` with an RFC 5424 level, when the
 *   server declares the `logging` capability; log entries arrive as `notifications/message`.
 *   https://modelcontextprotocol.io/specification/2025-06-18/server/utilities/logging
 *   `ping` is a request either side may send. https://modelcontextprotocol.io/specification/2025-06-18/basic/utilities/ping
 * - 2026-07-28 (stateless): `logging/setLevel` and `ping` are not in the protocol (SEP-2577 deprecates
 *   server logging; the SDK's 2026 registry has neither method). A server that still declares
 *   `logging` sends `notifications/message` on a request's own response stream only when that
 *   request carries the level in `_meta["io.modelcontextprotocol/logLevel"]` — so the level is added
 *   to every request from then on. A round trip is timed with `server/discover` instead of `ping`.
 */
import type { LoggingLevel } from '@modelcontextprotocol/client';
import { sanitizeServerText, stripInvisibleKeepingLines } from '../text/scrub';

/**
 * The SDK's LOG_LEVEL_META_KEY, spelled here so this module carries no SDK value and the editor's
 * adapter may import it (docs/ARCHITECTURE.md "Libraries"); a unit test holds it equal to the SDK's.
 */
export const LOG_LEVEL_META_KEY = 'io.modelcontextprotocol/logLevel';

/** RFC 5424 §6.2.1 severities, least severe first (the MCP logging levels). */
export const LOG_LEVELS = ['debug', 'info', 'notice', 'warning', 'error', 'critical', 'alert', 'emergency'] as const satisfies readonly LoggingLevel[];
export type LogLevel = (typeof LOG_LEVELS)[number];

export function isLogLevel(v: unknown): v is LogLevel {
  return typeof v === 'string' && (LOG_LEVELS as readonly string[]).includes(v);
}

/**
 * How the log level is set on the negotiated protocol: 'setLevel' (a `logging/setLevel` request),
 * 'request-meta' (2026-07-28: the level rides in each request's `_meta`), or 'none' — with why.
 */
export type LoggingSupport = { mode: 'setLevel' | 'request-meta' } | { mode: 'none'; reason: string };

export function loggingSupport(era: 'session' | 'stateless-2026' | undefined, capabilities: Record<string, unknown> | undefined): LoggingSupport {
  if (!era) return { mode: 'none', reason: 'the server is not connected' };
  if (!capabilities?.logging) return { mode: 'none', reason: 'the server does not declare the logging capability, so it sends no log messages (MCP server utilities §logging)' };
  return era === 'stateless-2026' ? { mode: 'request-meta' } : { mode: 'setLevel' };
}

/** One `notifications/message` entry, made safe to show: level, logger, data as capped text. */
export interface ServerLogEntry {
  /** The level as sent when it is one of RFC 5424's, else 'info' (and `levelSent` says what came). */
  level: LogLevel;
  levelSent?: string;
  logger?: string;
  /** `data` as text: a string as it came, anything else as JSON; controls but TAB/LF removed, capped. */
  text: string;
  /** Epoch ms when it arrived. */
  at: number;
}

const MAX_LOG_TEXT = 8_000;

/** A `notifications/message` params object as a ServerLogEntry (never throws on what a server sent). */
export function serverLogEntry(params: unknown, now: number): ServerLogEntry {
  const p = params && typeof params === 'object' ? (params as { level?: unknown; logger?: unknown; data?: unknown }) : {};
  const level = isLogLevel(p.level) ? p.level : 'info';
  let text: string;
  if (typeof p.data === 'string') text = p.data;
  else {
    try {
      text = JSON.stringify(p.data) ?? String(p.data);
    } catch {
      text = '(data that cannot be shown as JSON)';
    }
  }
  text = stripInvisibleKeepingLines(text.replace(/\r\n|\r/g, '\n'));
  if (text.length > MAX_LOG_TEXT) text = `${text.slice(0, MAX_LOG_TEXT)}… [${text.length - MAX_LOG_TEXT} more characters]`;
  return {
    level,
    ...(isLogLevel(p.level) ? {} : { levelSent: sanitizeServerText(String(p.level), 40) }),
    ...(typeof p.logger === 'string' && p.logger ? { logger: sanitizeServerText(p.logger, 100) } : {}),
    text,
    at: now,
  };
}

/** One line (or a block, for multi-line data) of an output channel: "[warning] todo-demo: {…}". */
export function serverLogLine(e: ServerLogEntry): string {
  const when = new Date(e.at).toISOString().slice(11, 23);
  return `${when} [${e.level}${e.levelSent ? ` (sent as "${e.levelSent}")` : ''}]${e.logger ? ` ${e.logger}:` : ''} ${e.text}`;
}

/** A JSON-RPC request with the log level in `_meta` (2026-07-28), when it is a request without one. */
export function withLogLevelMeta<M>(message: M, level: LogLevel): M {
  const m = message as { method?: unknown; id?: unknown; params?: unknown };
  if (typeof m?.method !== 'string' || m.id === undefined) return message;
  const params = m.params && typeof m.params === 'object' && !Array.isArray(m.params) ? (m.params as Record<string, unknown>) : {};
  const meta = params._meta && typeof params._meta === 'object' ? (params._meta as Record<string, unknown>) : {};
  if (LOG_LEVEL_META_KEY in meta) return message;
  return { ...m, params: { ...params, _meta: { ...meta, [LOG_LEVEL_META_KEY]: level } } } as M;
}

/** A timed round trip: `ping` on the session era, `server/discover` on 2026-07-28 (which has no ping). */
export interface PingResult {
  method: 'ping' | 'server/discover';
  ms: number;
}
