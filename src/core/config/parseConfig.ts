/**
 * Import Servers: turn the text of one MCP server config file into candidates the user can pick. No
 * 'vscode' here: the adapter reads the files (where they are: configLocations.ts) and shows the pick.
 *
 * Formats (detected from the content, whatever `source` says):
 *  - VS Code `.vscode/mcp.json` / the profile's `mcp.json`: `{ "servers": { name: { type, url, headers,
 *    command, args, env, envFile, cwd } }, "inputs": [...] }`; also the user `settings.json` of the VS Code
 *    versions before the user mcp.json (newer ones move it there): `{ "mcp": { "servers" } }`. A `settings.json`
 *    without an `"mcp"` key is the normal case there, not an error (see `isSettingsFile`).
 *    @see https://code.visualstudio.com/docs/copilot/reference/mcp-configuration
 *  - Cursor `mcp.json`, Claude Desktop `claude_desktop_config.json`, Windsurf `mcp_config.json`, the
 *    portable `.mcp.json`: `{ "mcpServers": { name: { url | command, args, env, headers, type / transport } } }`;
 *    Windsurf spells the remote URL `serverUrl` (or `url`).
 *    @see https://docs.windsurf.com/windsurf/cascade/mcp
 * All are JSONC (comments, trailing commas). `${input:…}`, `${env:…}`, `${workspaceFolder}` … are left
 * as they are and reported, for the user to fill.
 *
 * The file is untrusted input (a cloned repository's `.vscode/mcp.json` is written by someone else):
 * never throws, caps size and counts, builds objects without prototypes (jsonc.ts), refuses URL schemes with
 * `checkUrl` (docs/SECURITY.md "URLs from servers"), and never imports secrets: headers, env vars,
 * URL credentials / query parameters and arguments that look like secrets are dropped and named in
 * `droppedSecrets` (this inspector obtains tokens through OAuth and keeps them in SecretStorage only).
 * Which names and values are secrets is core/text/secrets.ts's policy; names are cleaned by
 * core/text/scrub.ts.
 */
import { InspectorError } from '../errors';
import { checkUrl } from '../http/urlPolicy';
import { stripInvisible } from '../text/scrub';
import { isSecretOption, looksLikeSecretName, looksLikeSecretValue } from '../text/secrets';
import type { ImportSource } from './configLocations';
import { describe, isObject, MAX_DEPTH, own, parseJsonc, str, type Json, type JsonObject } from './jsonc';

export interface ImportedServer {
  /** The key in the file, control and bidi characters stripped, at most MAX_NAME_LENGTH characters. */
  name: string;
  source: ImportSource;
  sourcePath: string;
  kind: 'http' | 'sse' | 'stdio';
  /** http/sse: as written (secret query parameters and user info removed); placeholders kept. */
  url?: string;
  /** http/sse: headers without the ones that look like secrets (see `droppedSecrets`). */
  headers?: Record<string, string>;
  command?: string;
  args?: string[];
  /** stdio: env without the variables that look like secrets. */
  env?: Record<string, string>;
  cwd?: string;
  /** Every `${…}` found anywhere in the entry, in order, once each. */
  placeholders: string[];
  /** Names of what was not imported because it holds (or looks like) a secret: header / env names, `url user info`, `url query "x"`, `args[3]`. */
  droppedSecrets: string[];
  /** What is wrong or was left out; some are only notes (see `importable`). */
  problems: string[];
  /** false when the problems make the entry unusable (no url / command, refused scheme, unknown type). */
  importable: boolean;
}

export interface ParseMcpConfigOptions {
  /** Hosts allowed to use plain http besides loopback (the `allowHttpHosts` setting). */
  allowHttpHosts?: readonly string[];
}

export interface ParseMcpConfigResult {
  servers: ImportedServer[];
  /** The file as a whole could not be read (too big, not JSON, no servers object). `servers` is then empty. */
  error?: string;
  /** Notes about the file as a whole: entries skipped, the server cap reached. */
  warnings: string[];
}

export const MAX_CONFIG_BYTES = 1024 * 1024;
export const MAX_SERVERS = 500;
export const MAX_NAME_LENGTH = 200;
const MAX_PLACEHOLDERS = 50;
const MAX_URL_LENGTH = 8192;

// ---------------------------------------------------------------------------------------------
// Parsing
// ---------------------------------------------------------------------------------------------

/**
 * Parse one config file's text. Never throws: a file that cannot be read at all gives `error`; an entry
 * that cannot be used is returned with `importable: false` and its `problems`.
 */
export function parseMcpConfig(
  text: string,
  source: ImportSource,
  sourcePath: string,
  options: ParseMcpConfigOptions = {},
): ParseMcpConfigResult {
  const warnings: string[] = [];
  try {
    if (typeof text !== 'string') return { servers: [], warnings, error: 'the file content is not text' };
    if (text.length > MAX_CONFIG_BYTES || Buffer.byteLength(text, 'utf8') > MAX_CONFIG_BYTES) {
      return { servers: [], warnings, error: `the file is larger than ${MAX_CONFIG_BYTES / 1024} KB; MCP configs are much smaller, so it was not read` };
    }
    const root = parseJsonc(text.replace(/^\uFEFF/, ''));
    if ('error' in root) return { servers: [], warnings, error: root.error };
    const doc = root.value;
    if (!isObject(doc)) return { servers: [], warnings, error: `the file is ${describe(doc)}, not a JSON object with "servers" or "mcpServers"` };

    const sections: Array<{ key: string; value: Json }> = [];
    if (own(doc, 'servers') !== undefined) sections.push({ key: 'servers', value: doc.servers });
    if (own(doc, 'mcpServers') !== undefined) sections.push({ key: 'mcpServers', value: doc.mcpServers });
    const mcp = own(doc, 'mcp'); // VS Code settings.json: "mcp": { "servers": {…} }
    if (sections.length === 0 && isObject(mcp) && own(mcp, 'servers') !== undefined) sections.push({ key: 'mcp.servers', value: mcp.servers });
    if (sections.length === 0) {
      // A user settings.json with no "mcp" key: nothing to import, and nothing wrong (most have none).
      if (isSettingsFile(sourcePath)) return { servers: [], warnings };
      return { servers: [], warnings, error: 'no "servers" (VS Code) or "mcpServers" (Cursor, Claude Desktop, Windsurf) object in the file' };
    }

    const servers: ImportedServer[] = [];
    const names = new Set<string>();
    let skippedOverCap = 0;
    for (const { key, value } of sections) {
      if (!isObject(value)) {
        warnings.push(`"${key}" is ${describe(value)}, not an object of servers; it was skipped`);
        continue;
      }
      for (const rawName of Object.keys(value)) {
        if (servers.length >= MAX_SERVERS) {
          skippedOverCap++;
          continue;
        }
        const entry = value[rawName];
        const shownName = cleanName(rawName) || '(unnamed)';
        if (!isObject(entry)) {
          warnings.push(`server "${shownName}" in "${key}" is ${describe(entry)}, not an object; it was skipped`);
          continue;
        }
        const server = parseEntry(rawName, entry, source, sourcePath, options);
        server.name = uniqueName(server.name, names);
        servers.push(server);
      }
    }
    if (skippedOverCap > 0) {
      warnings.push(`only the first ${MAX_SERVERS} servers were read; ${skippedOverCap} more were skipped`);
    }
    return { servers, warnings };
  } catch (err) {
    // Defensive: every path above is meant not to throw; a bug must not take the import command down.
    return { servers: [], warnings, error: `the file could not be read (${err instanceof Error ? err.message.slice(0, 200) : 'unknown error'})` };
  }
}

/** A VS Code `settings.json` (user or profile), by its file name, on either platform's separators. */
function isSettingsFile(sourcePath: string): boolean {
  return typeof sourcePath === 'string' && /(?:^|[\\/])settings\.json$/i.test(sourcePath);
}

// ---------------------------------------------------------------------------------------------
// One server entry
// ---------------------------------------------------------------------------------------------

function parseEntry(rawName: string, entry: JsonObject, source: ImportSource, sourcePath: string, options: ParseMcpConfigOptions): ImportedServer {
  const problems: string[] = [];
  const droppedSecrets: string[] = [];
  let importable = true;
  const refuse = (problem: string) => {
    problems.push(problem);
    importable = false;
  };

  let name = cleanName(rawName);
  if (name !== rawName.trim().slice(0, MAX_NAME_LENGTH) && name) problems.push('the name had control or invisible characters, which were removed');
  if (!name) {
    name = 'unnamed';
    problems.push('the name is empty (or only control characters); it was named "unnamed"');
  }

  const placeholders = collectPlaceholders(entry);
  const url = str(own(entry, 'url')) ?? str(own(entry, 'serverUrl')); // serverUrl: Windsurf's spelling
  const command = str(own(entry, 'command'));
  const declared = str(own(entry, 'type')) ?? str(own(entry, 'transport')) ?? str(own(entry, 'transportType'));

  // kind: the declared type wins; otherwise url → http (sse when the path ends in /sse), command → stdio.
  let kind: ImportedServer['kind'];
  const typeKind = declared === undefined ? undefined : normalizeType(declared);
  if (declared !== undefined && typeKind === undefined) {
    refuse(`type "${cleanName(declared).slice(0, 40)}" is not one this inspector supports (http, sse, stdio)`);
  }
  if (typeKind) kind = typeKind;
  else if (url !== undefined) kind = looksLikeSse(url) ? 'sse' : 'http';
  // A url that is not a string still says "remote": report it as such, not as a missing command.
  else if (command === undefined && (own(entry, 'url') !== undefined || own(entry, 'serverUrl') !== undefined)) kind = 'http';
  else kind = 'stdio';
  if (!declared && url !== undefined && command !== undefined) {
    problems.push('the entry has both "url" and "command" and no "type"; the url was used');
  }

  const server: ImportedServer = { name, source, sourcePath, kind, placeholders, droppedSecrets, problems, importable };

  if (kind === 'http' || kind === 'sse') {
    if (url === undefined) {
      refuse(own(entry, 'url') !== undefined ? 'url is not a string' : own(entry, 'serverUrl') !== undefined ? 'serverUrl is not a string' : 'missing url');
    }
    else {
      const checked = checkServerUrl(url, options, droppedSecrets);
      if (checked.problem) checked.fatal ? refuse(checked.problem) : problems.push(checked.problem);
      if (checked.url !== undefined) server.url = checked.url;
    }
    const headers = stringRecord(own(entry, 'headers'), 'headers', problems, droppedSecrets, true);
    if (headers && Object.keys(headers).length > 0) server.headers = headers;
    if (command !== undefined) problems.push(`"command" is ignored for a ${kind} server`);
  } else {
    if (command === undefined || command.trim() === '') {
      refuse(own(entry, 'command') === undefined ? 'missing command' : 'command is not a non-empty string');
    } else if (/[\u0000-\u001f\u007f]/.test(command)) {
      refuse('command contains control characters');
    } else server.command = command;
    const args = own(entry, 'args');
    if (args !== undefined) {
      if (!Array.isArray(args)) problems.push(`args is ${describe(args)}, not a list; it was left out`);
      else {
        const cleaned = cleanArgs(args, problems, droppedSecrets);
        server.args = cleaned.args;
        for (const ph of cleaned.added) if (!placeholders.includes(ph)) placeholders.push(ph);
      }
    }
    const env = stringRecord(own(entry, 'env'), 'env', problems, droppedSecrets, false);
    if (env && Object.keys(env).length > 0) server.env = env;
    const cwd = own(entry, 'cwd');
    if (typeof cwd === 'string' && cwd !== '') server.cwd = cwd;
    else if (cwd !== undefined && cwd !== '') problems.push('cwd is not a string; it was left out');
    if (url !== undefined) problems.push('"url" is ignored for a stdio server');
  }
  const envFile = own(entry, 'envFile');
  if (typeof envFile === 'string') problems.push('envFile is not imported; set the variables it holds yourself');

  server.importable = importable;
  return server;
}

function normalizeType(t: string): ImportedServer['kind'] | undefined {
  const k = t.toLowerCase().replace(/[-_\s]/g, '');
  if (k === 'http' || k === 'streamablehttp' || k === 'streamable' || k === 'https') return 'http';
  if (k === 'sse') return 'sse';
  if (k === 'stdio' || k === 'local') return 'stdio';
  return undefined;
}

function looksLikeSse(url: string | undefined): boolean {
  if (url === undefined) return false;
  const path = url.replace(/[?#].*$/s, '').replace(/\/+$/, '');
  return /\/sse$/i.test(path);
}

/**
 * The scheme gate, with placeholders: `https://${input:host}/mcp` is checked as if the placeholder were
 * a plain word, so `${input:x}` can never hide a refused scheme, yet an https template still imports.
 * User info and secret-looking query parameters are removed (and named in `droppedSecrets`).
 */
function checkServerUrl(
  raw: string,
  options: ParseMcpConfigOptions,
  droppedSecrets: string[],
): { url?: string; problem?: string; fatal?: boolean } {
  const url = raw.trim();
  if (url === '') return { problem: 'url is empty', fatal: true };
  if (url.length > MAX_URL_LENGTH) return { problem: `url is longer than ${MAX_URL_LENGTH} characters`, fatal: true };
  const hasPlaceholder = PLACEHOLDER.test(url);
  if (hasPlaceholder && url.replace(PLACEHOLDER_G, '').trim() === '') {
    return { url, problem: `url is only a placeholder (${url.slice(0, 80)}); fill it in before connecting`, fatal: true };
  }
  // A placeholder right after the host's colon stands for a port (`http://localhost:${input:port}/mcp`):
  // probe it as one, so a loopback template is not refused as an invalid URL.
  const probe = hasPlaceholder ? url.replace(/^([a-z][a-z0-9+.-]*:\/\/[^/?#]*:)\$\{[^{}\s]{1,200}\}(?=[/?#]|$)/i, '$11').replace(PLACEHOLDER_G, 'placeholder') : url;
  let parsed: URL;
  try {
    parsed = checkUrl(probe, 'url', options.allowHttpHosts ?? []);
  } catch (err) {
    const message = err instanceof InspectorError ? err.message : 'url is not a valid absolute URL';
    return { problem: message, fatal: true };
  }
  if (hasPlaceholder) {
    return { url, problem: 'url contains placeholders; fill them in before connecting (the URL is checked again then)' };
  }
  let changed = false;
  if (parsed.username || parsed.password) {
    parsed.username = '';
    parsed.password = '';
    droppedSecrets.push('url user info');
    changed = true;
  }
  for (const key of [...new Set(parsed.searchParams.keys())]) {
    if (isSecretName(key) || parsed.searchParams.getAll(key).some(isSecretValue)) {
      parsed.searchParams.delete(key);
      droppedSecrets.push(`url query "${cleanName(key).slice(0, 60)}"`);
      changed = true;
    }
  }
  return { url: changed ? parsed.href : url };
}

const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/**
 * headers / env as a plain object of strings. Secret-looking names or values are dropped into
 * `droppedSecrets`; numbers and booleans become strings (VS Code allows them in env); null values are
 * left out (VS Code: "unset"); anything else is a problem.
 */
function stringRecord(
  value: Json | undefined,
  what: 'headers' | 'env',
  problems: string[],
  droppedSecrets: string[],
  isHeader: boolean,
): Record<string, string> | undefined {
  if (value === undefined || value === null) return undefined;
  if (!isObject(value)) {
    problems.push(`${what} is ${describe(value)}, not an object; it was left out`);
    return undefined;
  }
  const out: Record<string, string> = {};
  for (const key of Object.keys(value)) {
    const v = value[key];
    const shown = cleanName(key).slice(0, 60);
    if (v === null) continue;
    if (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean') {
      problems.push(`${what} "${shown}" is ${describe(v)}, not a string; it was left out`);
      continue;
    }
    const s = String(v);
    if (isSecretName(key) || isSecretValue(s)) {
      droppedSecrets.push(shown);
      continue;
    }
    if (isHeader ? !HEADER_NAME.test(key) : /[\u0000-\u001f\u007f=]/.test(key) || key === '') {
      problems.push(`${what} name "${shown}" is not valid; it was left out`);
      continue;
    }
    if (/[\u0000-\u001f\u007f]/.test(s) && (isHeader || /[\u0000\r\n]/.test(s))) {
      problems.push(`${what} "${shown}" has control characters in its value; it was left out`);
      continue;
    }
    out[key] = s;
  }
  return out;
}

/**
 * stdio args: strings kept, numbers/booleans stringified. An argument that is a secret (a token-looking
 * value, `--api-key=…`, the value after `--token`, or `--header "Authorization: …"`) is replaced by a
 * `${input:argN}` placeholder so the command keeps its shape and the user fills it in.
 */
function cleanArgs(args: Json[], problems: string[], droppedSecrets: string[]): { args: string[]; added: string[] } {
  const out: string[] = [];
  const added: string[] = [];
  let valueIsSecret = false; // the previous argument was `--token` / `--api-key` …
  let valueIsHeader = false; // the previous argument was `--header` / `-H`
  args.forEach((a, i) => {
    if (a === null || typeof a === 'object') {
      problems.push(`args[${i}] is ${describe(a)}, not a string; it was left out`);
      valueIsSecret = valueIsHeader = false;
      return;
    }
    const s = String(a);
    const eq = /^(--?[\w-]+)=(.*)$/s.exec(s);
    const optionWithSecret = eq !== null && eq[2] !== '' && (isSecretOption(eq[1]) || isSecretValue(eq[2]));
    const secret =
      optionWithSecret || valueIsSecret || (valueIsHeader && isSecretName(s.split(':')[0])) || isSecretValue(s);
    valueIsSecret = isSecretOption(s);
    valueIsHeader = /^(?:--header|-H)$/.test(s);
    if (!secret) {
      out.push(s);
      return;
    }
    const placeholder = `\${input:arg${i}}`;
    out.push(optionWithSecret && eq ? `${eq[1]}=${placeholder}` : placeholder);
    added.push(placeholder);
    droppedSecrets.push(`args[${i}]`);
  });
  if (added.length > 0) {
    problems.push(`arguments that held secrets were replaced by placeholders (${added.join(', ')}); fill them in before connecting`);
  }
  return { args: out, added };
}

// ---------------------------------------------------------------------------------------------
// Secrets, placeholders, names
// ---------------------------------------------------------------------------------------------

/** A config name that holds a secret: the wide policy of core/text/secrets.ts (wire names included). */
export function isSecretName(name: string): boolean {
  return looksLikeSecretName(name);
}

/** A config value that is a credential by its shape; a value made only of `${…}` placeholders is a reference, not a secret. */
export function isSecretValue(value: string): boolean {
  const v = value.trim();
  if (PLACEHOLDER.test(v) && v.replace(PLACEHOLDER_G, '').trim() === '') return false;
  return looksLikeSecretValue(v);
}

const PLACEHOLDER = /\$\{[^{}\s]{1,200}\}/;
const PLACEHOLDER_G = /\$\{[^{}\s]{1,200}\}/g;

/** Every `${…}` in any string (keys included) of the entry, in order, once each, capped. */
function collectPlaceholders(entry: Json): string[] {
  const found = new Set<string>();
  const visit = (v: Json, depth: number) => {
    if (found.size >= MAX_PLACEHOLDERS || depth > MAX_DEPTH) return;
    if (typeof v === 'string') {
      for (const m of v.match(PLACEHOLDER_G) ?? []) if (found.size < MAX_PLACEHOLDERS) found.add(stripInvisible(m));
    } else if (Array.isArray(v)) v.forEach((x) => visit(x, depth + 1));
    else if (isObject(v)) {
      for (const k of Object.keys(v)) {
        visit(k, depth + 1);
        visit(v[k], depth + 1);
      }
    }
  };
  visit(entry, 0);
  return [...found];
}

/** Controls, zero-width and bidi characters out (core/text/scrub.ts): they can make a name look like another one. */
function cleanName(s: string): string {
  return stripInvisible(s).trim().slice(0, MAX_NAME_LENGTH);
}

function uniqueName(name: string, taken: Set<string>): string {
  let candidate = name;
  for (let i = 2; taken.has(candidate); i++) candidate = `${name} (${i})`;
  taken.add(candidate);
  return candidate;
}
