/**
 * How a failure is logged (no vscode): one line with what failed, the error code, the step and the
 * URL, then the message. Stack traces are not part of it: the logger writes them only at trace
 * level (src/vscode/logger.ts).
 */
import { oneLine } from './serverInfo';

export interface FailureContext {
  /** What the user was doing: "connect to todo", "command mcpOAuthInspector.callTool". */
  what?: string;
  /** The URL involved when the error names none (the server's). */
  url?: string;
}

interface ErrorFields {
  code?: unknown;
  step?: unknown;
  url?: unknown;
  message?: unknown;
  /** An InspectorError's message without step, URL and hint (src/core/errors.ts). */
  detail?: unknown;
  hint?: unknown;
  name?: unknown;
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v ? v : undefined);

/**
 * `connect to todo failed · code mcp_connect_failed · step MCP initialize · http://127.0.0.1:5080/mcp — the MCP server did not complete initialize: …`
 * An InspectorError's step and URL are fields: the line names them once, then its bare detail and
 * its hint (nothing is cut out of the composed message). `redact` runs over the whole line.
 */
export function failureLine(err: unknown, ctx: FailureContext = {}, redact: (s: string) => string = (s) => s): string {
  const e = (err && typeof err === 'object' ? err : {}) as ErrorFields;
  const code = str(e.code) ?? (str(e.name) && e.name !== 'Error' ? `internal (${e.name as string})` : 'internal');
  const step = str(e.step);
  const url = str(e.url) ?? ctx.url;
  const detail = typeof e.detail === 'string' ? e.detail : undefined;
  const hint = str(e.hint);
  const message = detail !== undefined ? `${detail}${hint ? `. ${hint}` : ''}` : (str(e.message) ?? (typeof err === 'string' ? err : String(err)));
  const head = [`${ctx.what ? `${ctx.what} failed` : 'failed'}`, `code ${code}`, step ? `step ${step}` : undefined, url].filter(Boolean).join(' · ');
  return oneLine(redact(`${head} — ${message}`), 2_000);
}

/** The stack of an error and of its causes (a few levels), or undefined when it has none. */
export function stackText(err: unknown, depth = 3): string | undefined {
  const parts: string[] = [];
  let e: unknown = err;
  for (let i = 0; i < depth && e && typeof e === 'object'; i++) {
    const stack = (e as { stack?: unknown }).stack;
    if (typeof stack === 'string' && stack) parts.push(i === 0 ? stack : `Caused by: ${stack}`);
    e = (e as { cause?: unknown }).cause;
  }
  return parts.length ? parts.join('\n') : undefined;
}

/** Where failure lines go: the log's error level, its trace level, and whether trace is on. */
export interface FailureSink {
  error(line: string): void;
  trace(text: string): void;
  traceEnabled(): boolean;
}

/**
 * Failures into a log: one line each (`failureLine`), the stack (mapped to the sources by
 * `mapStack`) only when the log is at trace level. The same error object is logged once, however
 * many layers report it (a connection, then the command that ran it). Everything goes through `redact`.
 */
export class FailureLog {
  private readonly logged = new WeakSet<object>();

  constructor(
    private readonly sink: FailureSink,
    private readonly redact: (s: string) => string = (s) => s,
    private readonly mapStack: (stack: string) => string = (s) => s,
  ) {}

  log(err: unknown, ctx?: FailureContext): void {
    if (err && typeof err === 'object') {
      if (this.logged.has(err)) return;
      this.logged.add(err);
    }
    this.sink.error(failureLine(err, ctx, this.redact));
    if (!this.sink.traceEnabled()) return;
    const stack = stackText(err);
    if (stack) this.sink.trace(this.redact(this.mapStack(stack)));
  }
}
