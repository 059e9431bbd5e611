/**
 * The CLI's resources and prompts commands over the engine (src/core/mcp/resources.ts):
 *
 *   resources <url>                     resources and resource templates (one run of --max-pages pages;
 *                                       a longer list says so and prints the --cursor to go on from)
 *   read <url> <uri>                    resources/read: text as text, a blob as its size and MIME type
 *   prompts <url>                       prompts with their arguments
 *   get-prompt <url> <name> --args '{}' prompts/get: the messages by role and content type
 *
 * Every string from the server goes out through core/text/terminal (controls and bidi escaped), as in
 * output.ts; --json prints the engine's results as JSON.
 */
import type { Connection } from '../core/connection';
import { InspectorError } from '../core/errors';
import { getPrompt, listPrompts, listResources, listResourceTemplates, readResource, type GetPromptResult, type ListPage, type Prompt, type ReadResourceResult, type Resource, type ResourceTemplate } from '../core/mcp/resources';
import { terminalJson, terminalLine, terminalText } from '../core/text/terminal';
import { EXIT } from './output';

export const RESOURCE_COMMANDS = ['resources', 'read', 'prompts', 'get-prompt'] as const;
export type ResourceCommand = (typeof RESOURCE_COMMANDS)[number];

export function isResourceCommand(c: string): c is ResourceCommand {
  return (RESOURCE_COMMANDS as readonly string[]).includes(c);
}

export interface ResourceCommandInput {
  conn: Connection;
  /** After the URL: the resource URI (read) or the prompt name (get-prompt). */
  positionals: string[];
  args?: string;
  cursor?: string;
  maxPages: number;
  /** Writes the human text, or the JSON object under --json (main.ts adds the trace and truncation). */
  out(human: string, json: Record<string, unknown>): void;
}

/** Runs one of the commands after the session is connected by the caller; returns the exit code. */
export async function runResourceCommand(command: ResourceCommand, i: ResourceCommandInput): Promise<number> {
  const s = i.conn.session;
  switch (command) {
    case 'resources': {
      const resources = await listResources(s, { cursor: i.cursor, maxPages: i.maxPages });
      const templates = await listResourceTemplates(s, { maxPages: i.maxPages });
      i.out(resourcesHuman(resources, templates), { resources: resources.items, resourceTemplates: templates.items, ...more(resources, templates) });
      return EXIT.ok;
    }
    case 'read': {
      const uri = i.positionals[0];
      if (!uri) throw new InspectorError('invalid_arguments', 'read needs a resource URI', { hint: 'mcp-oauth-inspector read <url> <resource-uri>' });
      const result = await readResource(s, uri);
      i.out(readHuman(result), { result });
      return EXIT.ok;
    }
    case 'prompts': {
      const prompts = await listPrompts(s, { cursor: i.cursor, maxPages: i.maxPages });
      i.out(promptsHuman(prompts), { prompts: prompts.items, ...(prompts.nextCursor ? { nextCursor: prompts.nextCursor } : {}) });
      return EXIT.ok;
    }
    case 'get-prompt': {
      const name = i.positionals[0];
      if (!name) throw new InspectorError('invalid_arguments', 'get-prompt needs a prompt name', { hint: `mcp-oauth-inspector get-prompt <url> <name> --args '{"arg":"value"}'` });
      const result = await getPrompt(s, name, promptArgs(i.args));
      i.out(promptHuman(result), { result });
      return EXIT.ok;
    }
  }
}

function more(resources: ListPage<unknown>, templates: ListPage<unknown>): Record<string, unknown> {
  return { ...(resources.nextCursor ? { nextCursor: resources.nextCursor } : {}), ...(templates.nextCursor ? { templatesCut: true } : {}) };
}

/** --args for get-prompt: a JSON object of strings (MCP prompt arguments are strings). */
export function promptArgs(raw: string | undefined): Record<string, string> {
  if (!raw) return {};
  let v: unknown;
  try {
    v = JSON.parse(raw);
  } catch {
    throw new InspectorError('invalid_arguments', '--args is not valid JSON', { hint: `Pass a JSON object of strings, e.g. --args '{"style":"brief"}'` });
  }
  if (!v || typeof v !== 'object' || Array.isArray(v)) throw new InspectorError('invalid_arguments', '--args must be a JSON object');
  const out: Record<string, string> = {};
  for (const [k, x] of Object.entries(v)) {
    if (typeof x !== 'string') throw new InspectorError('invalid_arguments', `--args: prompt argument "${terminalLine(k).slice(0, 60)}" must be a string`, { hint: 'Prompt arguments are strings (MCP prompts/get)' });
    out[k] = x;
  }
  return out;
}

const line = (...parts: unknown[]) => parts.map(terminalLine).join('');

export function resourcesHuman(resources: ListPage<Resource>, templates: ListPage<ResourceTemplate>): string {
  const out: string[] = [`Resources (${resources.items.length}${resources.nextCursor ? '+' : ''})`];
  for (const r of resources.items) out.push(line('  ', r.uri, r.mimeType ? `  ${r.mimeType}` : '', r.name && r.name !== r.uri ? `  — ${r.name}` : ''));
  if (resources.nextCursor) out.push(line('  … more: the server has further pages; go on with --cursor ', resources.nextCursor, ' (or raise --max-pages)'));
  out.push(`Resource templates (${templates.items.length}${templates.nextCursor ? '+' : ''})`);
  for (const t of templates.items) out.push(line('  ', t.uriTemplate, t.mimeType ? `  ${t.mimeType}` : '', t.name ? `  — ${t.name}` : ''));
  if (templates.nextCursor) out.push('  … more: the server has further pages (raise --max-pages)');
  return `${out.join('\n')}\n`;
}

/** A blob's decoded size (base64: 3 bytes per 4 characters, less the padding). */
export function blobBytes(base64: string): number {
  const clean = base64.replace(/\s/g, '');
  const pad = clean.endsWith('==') ? 2 : clean.endsWith('=') ? 1 : 0;
  return Math.max(0, Math.floor((clean.length * 3) / 4) - pad);
}

export function readHuman(result: ReadResourceResult): string {
  const out: string[] = [];
  for (const c of result.contents ?? []) {
    const head = line('── ', c.uri, c.mimeType ? ` (${c.mimeType})` : '');
    if ('text' in c && typeof c.text === 'string') out.push(head, terminalText(c.text));
    else if ('blob' in c && typeof c.blob === 'string') out.push(head, `[binary, ${blobBytes(c.blob)} bytes — use --json for the base64]`);
    else out.push(head, '[no text or blob]');
  }
  return `${out.join('\n')}\n`;
}

export function promptsHuman(prompts: ListPage<Prompt>): string {
  const out: string[] = [`Prompts (${prompts.items.length}${prompts.nextCursor ? '+' : ''})`];
  for (const p of prompts.items) {
    const args = (p.arguments ?? []).map((a) => `${a.name}${a.required ? '' : '?'}`).join(', ');
    out.push(line('  ', p.name, `(${args})`, p.description ? `  — ${p.description}` : ''));
  }
  if (prompts.nextCursor) out.push(line('  … more: the server has further pages; go on with --cursor ', prompts.nextCursor, ' (or raise --max-pages)'));
  return `${out.join('\n')}\n`;
}

export function promptHuman(result: GetPromptResult): string {
  const out: string[] = [];
  if (result.description) out.push(line('Description: ', result.description));
  for (const m of result.messages ?? []) {
    const c = m.content as { type?: string; text?: unknown; mimeType?: unknown; data?: unknown; resource?: { uri?: unknown; text?: unknown; blob?: unknown; mimeType?: unknown }; uri?: unknown };
    out.push(line(`[${m.role}] `, c.type ?? '?'));
    if (c.type === 'text') out.push(terminalText(c.text));
    else if ((c.type === 'image' || c.type === 'audio') && typeof c.data === 'string') out.push(line(`  ${c.type} `, c.mimeType ?? '', `, ${blobBytes(c.data)} bytes`));
    else if (c.type === 'resource' && c.resource) out.push(line('  ', c.resource.uri ?? '', c.resource.mimeType ? ` (${String(c.resource.mimeType)})` : ''), typeof c.resource.text === 'string' ? terminalText(c.resource.text) : `  [binary, ${typeof c.resource.blob === 'string' ? blobBytes(c.resource.blob) : 0} bytes]`);
    else if (c.type === 'resource_link') out.push(line('  link ', c.uri ?? ''));
    else out.push(terminalJson(c, 2));
  }
  return `${out.join('\n')}\n`;
}
