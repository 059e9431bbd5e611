import type { TraceEntry } from '../../core/http/trace';
import type { FlowStep, Level } from '../../shared/protocol';
import type { ServerConnection } from '../connections';
import { flowMarkdown } from '../reports';
import type { PanelController } from './panels';
import { serverSummary } from './state';

/** A plain-words verdict for one HTTP exchange of the flow (notes carry their own). */
function exchangeVerdict(e: Extract<TraceEntry, { kind: 'http' }>): { level: Level; finding: string } {
  const status = e.response?.status;
  if (e.error) return { level: 'fail', finding: `${e.request.method} ${e.request.url} failed: ${e.error.message}` };
  if (status === undefined) return { level: 'info', finding: 'no response recorded' };
  if (status === 401 && e.purpose === 'mcp') return { level: 'info', finding: 'the MCP server asks for a token (401 with a challenge): authorization starts here' };
  if (status === 403 && e.purpose === 'mcp') return { level: 'warn', finding: 'the MCP server refuses the token (403): more scope is needed' };
  if (status === 404 && (e.purpose === 'resource-metadata' || e.purpose === 'as-metadata')) return { level: 'info', finding: 'not at this location; the next well-known URL is tried' };
  if (status >= 200 && status < 300) return { level: 'pass', finding: `${status} in ${e.durationMs} ms` };
  if (status >= 300 && status < 400) return { level: 'info', finding: `redirect (${status})` };
  return { level: 'fail', finding: `the server answered ${status}` };
}

export function flowSteps(entries: readonly TraceEntry[]): FlowStep[] {
  return entries.map((e) => {
    if (e.kind === 'note') return { id: e.id, step: e.step, at: e.at, durationMs: 0, level: e.level, finding: e.message, spec: e.spec };
    const v = exchangeVerdict(e);
    return {
      id: e.id,
      step: e.step,
      at: e.startedAt,
      durationMs: e.durationMs,
      level: v.level,
      finding: v.finding,
      exchange: {
        method: e.request.method,
        url: e.request.url,
        requestHeaders: e.request.headers,
        requestBody: e.request.body,
        status: e.response?.status,
        responseHeaders: e.response?.headers,
        responseBody: e.response?.body,
        bytes: e.response?.bytes,
        error: e.error ? `${e.error.code}: ${e.error.message}` : undefined,
      },
    };
  });
}

export function flowController(): PanelController {
  return {
    kind: 'flow',
    title: (c: ServerConnection) => `OAuth flow — ${c.entry.name}`,
    async state(panel) {
      return { method: 'state/flow', params: { server: serverSummary(panel.server), steps: flowSteps(panel.server.conn?.trace.all() ?? []) } };
    },
    watch(panel, refresh) {
      // The trace belongs to the engine connection, which is rebuilt on every connect.
      let off: (() => void) | undefined;
      let current = panel.server.conn;
      const attach = () => {
        off?.();
        current = panel.server.conn;
        off = current?.trace.onEntry(() => refresh());
      };
      attach();
      const sub = panel.server.onDidChange(() => {
        if (panel.server.conn !== current) attach();
      });
      return { dispose: () => (off?.(), sub.dispose()) };
    },
    requests: {
      'flow/export': async (panel) => {
        await panel.s.documents.show(`oauth-flow-${panel.server.entry.name}`, flowMarkdown(panel.server));
        return { opened: true };
      },
    },
  };
}
