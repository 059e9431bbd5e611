import type { Tool } from '@modelcontextprotocol/client';

/** Arguments for a tool from its input schema: defaults, else a plain value of the declared type. */
export function sampleArguments(tool: Tool): Record<string, unknown> {
  const props = (tool.inputSchema?.properties ?? {}) as Record<string, { type?: string; default?: unknown; enum?: unknown[] }>;
  const required = new Set(tool.inputSchema?.required ?? []);
  const args: Record<string, unknown> = {};
  for (const [name, schema] of Object.entries(props)) {
    if (schema.default !== undefined) args[name] = schema.default;
    else if (!required.has(name)) continue;
    else if (schema.enum?.length) args[name] = schema.enum[0];
    else if (schema.type === 'number' || schema.type === 'integer') args[name] = 1;
    else if (schema.type === 'boolean') args[name] = true;
    else if (schema.type === 'array') args[name] = [];
    else if (schema.type === 'object') args[name] = {};
    else args[name] = 'test';
  }
  return args;
}
