/** Builders for the tools panel's plain-Node tests: a security view, a tool, a push, a call record. */
import type { CallRecord, SecurityView, ServerSummary, ToolsState, ToolView } from '../../../../src/shared/protocol';

export function security(kind: SecurityView['kind'], over: Partial<SecurityView> = {}): SecurityView {
  const oauth = kind === 'oauth';
  return {
    kind,
    anonymous: !oauth,
    requiresAuth: oauth,
    scopesNeeded: oauth ? ['todos.read'] : [],
    scopesHeld: [],
    missing: oauth ? ['todos.read'] : [],
    covered: !oauth,
    source: kind === 'default' ? 'default' : '_meta.securitySchemes',
    ...over,
  };
}

export function tool(name: string, kind: SecurityView['kind'] = 'public', over: Partial<ToolView> = {}): ToolView {
  return { name, title: `Title of ${name}`, description: `Does ${name}.`, inputSchema: { type: 'object', properties: { query: { type: 'string' } } }, security: security(kind), ...over };
}

export function server(over: Partial<ServerSummary> = {}): ServerSummary {
  return { id: 'srv', name: 'demo', url: 'http://127.0.0.1:1/mcp', state: 'connected', signedIn: false, scopes: [], ...over };
}

export function push(tools: ToolView[], over: Partial<ToolsState> = {}): ToolsState {
  return { server: server(), tools, history: [], selected: tools[0]?.name, ...over };
}

export function record(id: number, toolName: string, over: Partial<CallRecord> = {}): CallRecord {
  return { id, tool: toolName, at: Date.UTC(2026, 0, 2, 3, 4, 5), durationMs: 20, args: {}, authenticated: false, ok: true, rpc: { request: {}, response: {} }, ...over } as CallRecord;
}
