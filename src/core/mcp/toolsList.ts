/**
 * What the session accepts from a tools/list result: each tool as the server sent it (the SDK's Tool
 * schema would strip the top-level `securitySchemes`), and which tools' `x-mcp-header` declarations
 * (SEP-2243) break the rules, so the session leaves them out instead of mirroring a bad header.
 */
import type { StandardSchemaV1, Tool } from '@modelcontextprotocol/client';

/**
 * tools/list keeping each tool as the server sent it: the SDK's Tool schema strips unknown keys,
 * which would drop a tool's top-level `securitySchemes`. Checks the shape the session relies on
 * (an object with a `tools` array of objects with a string `name`); the rest is data.
 */
export const LooseListToolsResultSchema: StandardSchemaV1<unknown, { tools: Tool[]; nextCursor?: string }> = {
  '~standard': {
    version: 1,
    vendor: 'mcp-oauth-inspector',
    validate(value: unknown) {
      const v = value as { tools?: unknown; nextCursor?: unknown } | null;
      if (!v || typeof v !== 'object' || !Array.isArray(v.tools)) return { issues: [{ message: 'tools/list result has no tools array' }] };
      const bad = v.tools.findIndex((t) => !t || typeof t !== 'object' || Array.isArray(t) || typeof (t as { name?: unknown }).name !== 'string');
      if (bad >= 0) return { issues: [{ message: `tools/list result: tool ${bad} is not an object with a name` }] };
      if (v.nextCursor !== undefined && typeof v.nextCursor !== 'string') return { issues: [{ message: 'tools/list result: nextCursor is not a string' }] };
      return { value: { tools: v.tools as Tool[], nextCursor: v.nextCursor as string | undefined } };
    },
  },
};

/** RFC 9110 §5.6.2 token: what an HTTP field name may contain. */
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
/** The JSON Schema types whose values SEP-2243 lets a client mirror into a header. */
const MIRRORABLE = new Set(['string', 'integer', 'boolean']);

/**
 * What is wrong with a tool's `x-mcp-header` declarations (SEP-2243), or undefined when nothing is:
 * each is a non-empty header-name token, on a property of type string, integer or boolean, and no
 * two name the same header (case-insensitively).
 */
export function invalidHeaderDeclaration(inputSchema: unknown): string | undefined {
  const props = (inputSchema as { properties?: unknown } | undefined)?.properties;
  if (!props || typeof props !== 'object') return undefined;
  const seen = new Set<string>();
  for (const [param, def] of Object.entries(props as Record<string, unknown>)) {
    if (!def || typeof def !== 'object' || !('x-mcp-header' in def)) continue;
    const header = (def as Record<string, unknown>)['x-mcp-header'];
    const at = `parameter "${param.slice(0, 60)}"`;
    if (typeof header !== 'string' || header === '') return `${at}: x-mcp-header is empty or not a string`;
    if (!TOKEN.test(header)) return `${at}: x-mcp-header is not a valid header name`;
    const type = (def as { type?: unknown }).type;
    if (typeof type !== 'string' || !MIRRORABLE.has(type)) return `${at}: x-mcp-header on a parameter of type ${typeof type === 'string' ? type.slice(0, 20) : 'unknown'} (only string, integer, boolean)`;
    const key = header.toLowerCase();
    if (seen.has(key)) return `${at}: x-mcp-header "${header}" is declared twice`;
    seen.add(key);
  }
  return undefined;
}
