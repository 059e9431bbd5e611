/**
 * Import Servers: read the MCP server configs people already have and turn each entry into a
 * candidate the user can pick. No 'vscode' here: the adapter reads the files and shows the pick.
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
 * never throws, caps size and counts, builds objects without prototypes, refuses URL schemes with
 * `checkUrl` (docs/SECURITY.md "URLs from servers"), and never imports secrets: headers, env vars,
 * URL credentials / query parameters and arguments that look like secrets are dropped and named in
 * `droppedSecrets` (this inspector obtains tokens through OAuth and keeps them in SecretStorage only).
 */
// The ESM build on purpose: the package's `main` is a UMD wrapper whose inner `require('./impl/…')`
// calls esbuild cannot see, so a bundle built from it fails at runtime with "Cannot find module".
import { parseTree, printParseErrorCode } from 'jsonc-parser/lib/esm/main.js';
import type { Node as JsoncNode, ParseError } from 'jsonc-parser/lib/esm/main.js';
import { posix, win32 } from 'node:path';
import { InspectorError } from '../errors';
import { checkUrl } from '../http/urlPolicy';

/**
 * Where an entry was found. The value is shown to the user as is (the Import Servers pick, the placeholder
 * prompt), so the first five are kept as they were; `importSourceLabel` gives a longer wording.
 *  - `*-user`: the default profile's `User/mcp.json`; `*-user-settings`: its `User/settings.json` (`"mcp"`);
 *  - `*-profile`: another VS Code profile's `User/profiles/<id>/mcp.json` or `settings.json`;
 *  - `vscode-*` covers VS Code, its portable mode and code-server; `vscodium-*` VSCodium and VSCodium Insiders.
 */
export type ImportSource =
  | 'vscode-workspace'
  | 'vscode-user'
  | 'cursor'
  | 'claude-desktop'
  | 'other'
  | 'vscode-user-settings'
  | 'vscode-profile'
  | 'vscode-insiders-user'
  | 'vscode-insiders-user-settings'
  | 'vscode-insiders-profile'
  | 'vscodium-user'
  | 'vscodium-user-settings'
  | 'vscodium-profile'
  | 'windsurf'
  | 'windsurf-plugin';

/** A longer wording of each source, for a pick item or a message. */
export const IMPORT_SOURCE_LABELS: Readonly<Record<ImportSource, string>> = {
  'vscode-workspace': 'VS Code workspace (.vscode/mcp.json)',
  'vscode-user': 'VS Code user mcp.json',
  cursor: 'Cursor',
  'claude-desktop': 'Claude Desktop',
  other: 'other (.mcp.json)',
  'vscode-user-settings': 'VS Code user settings.json ("mcp")',
  'vscode-profile': 'VS Code profile',
  'vscode-insiders-user': 'VS Code Insiders user mcp.json',
  'vscode-insiders-user-settings': 'VS Code Insiders user settings.json ("mcp")',
  'vscode-insiders-profile': 'VS Code Insiders profile',
  'vscodium-user': 'VSCodium user mcp.json',
  'vscodium-user-settings': 'VSCodium user settings.json ("mcp")',
  'vscodium-profile': 'VSCodium profile',
  windsurf: 'Windsurf',
  'windsurf-plugin': 'Windsurf plugin (JetBrains)',
};

export function importSourceLabel(source: ImportSource): string {
  return Object.prototype.hasOwnProperty.call(IMPORT_SOURCE_LABELS, source) ? IMPORT_SOURCE_LABELS[source] : String(source);
}

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
const MAX_DEPTH = 32;
const MAX_PLACEHOLDERS = 50;
const MAX_URL_LENGTH = 8192;

type Json = null | boolean | number | string | Json[] | JsonObject;
/** Built with a null prototype: no key, `__proto__` included, can reach Object.prototype. */
interface JsonObject {
  [key: string]: Json;
}

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

function parseJsonc(text: string): { value: Json } | { error: string } {
  const errors: ParseError[] = [];
  let tree: JsoncNode | undefined;
  try {
    tree = parseTree(text, errors, { allowTrailingComma: true, disallowComments: false, allowEmptyContent: true });
  } catch {
    return { error: 'the file is nested too deeply to read' }; // stack overflow on pathological nesting
  }
  if (errors.length > 0) {
    const e = errors[0];
    const { line, column } = lineColumn(text, e.offset);
    return { error: `the file is not valid JSON (with comments): ${printParseErrorCode(e.error)} at line ${line}, column ${column}` };
  }
  if (!tree) return { error: 'the file is empty' };
  const value = toJson(tree, 0);
  return value === undefined ? { error: `the file is nested deeper than ${MAX_DEPTH} levels` } : { value };
}

/** The tree as plain values, objects with a null prototype and no `__proto__` key; undefined when too deep. */
function toJson(node: JsoncNode, depth: number): Json | undefined {
  if (depth > MAX_DEPTH) return undefined;
  switch (node.type) {
    case 'object': {
      const out = Object.create(null) as JsonObject;
      for (const prop of node.children ?? []) {
        const [keyNode, valueNode] = prop.children ?? [];
        if (!keyNode || !valueNode || typeof keyNode.value !== 'string') continue;
        if (keyNode.value === '__proto__') continue;
        const v = toJson(valueNode, depth + 1);
        if (v === undefined) return undefined;
        out[keyNode.value] = v;
      }
      return out;
    }
    case 'array': {
      const out: Json[] = [];
      for (const child of node.children ?? []) {
        const v = toJson(child, depth + 1);
        if (v === undefined) return undefined;
        out.push(v);
      }
      return out;
    }
    case 'string':
      return String(node.value);
    case 'number':
      return typeof node.value === 'number' ? node.value : Number(node.value);
    case 'boolean':
      return node.value === true;
    default:
      return null;
  }
}

function lineColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, Math.max(0, offset));
  const line = before.split('\n').length;
  return { line, column: offset - before.lastIndexOf('\n') };
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

/** Option names whose value (`--token=x` or the next argument) is a secret. */
const SECRET_OPTION = /^--?[\w-]*(?:token|secret|passw|pwd|api[-_]?key|apikey|credential|auth(?!or(?!iz)))[\w-]*$/i;

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
    const optionWithSecret = eq !== null && eq[2] !== '' && (SECRET_OPTION.test(eq[1]) || isSecretValue(eq[2]));
    const secret =
      optionWithSecret || valueIsSecret || (valueIsHeader && isSecretName(s.split(':')[0])) || isSecretValue(s);
    valueIsSecret = SECRET_OPTION.test(s);
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

/** Authorization, Proxy-Authorization, Cookie, *token*, *key*, *secret*, *password*, *credential* … (AUTHOR is not). */
const SECRET_NAME = /auth(?!or(?!iz))|token|secret|passw|pwd|key|credential|cookie|bearer|session/i;

export function isSecretName(name: string): boolean {
  return SECRET_NAME.test(name);
}

/** Values that are credentials whatever they are called: schemes, well-known token prefixes, JWTs. */
const SECRET_VALUES: readonly RegExp[] = [
  /^(?:bearer|basic|token|dpop)\s+\S/i,
  /^(?:sk|rk)[-_][A-Za-z0-9_-]{16,}/, // OpenAI, Anthropic (sk-ant-…), Stripe secret / restricted keys
  /^(?:ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9]{20,}/, // GitHub tokens
  /^github_pat_[A-Za-z0-9_]{20,}/,
  /^glpat-[A-Za-z0-9_-]{16,}/, // GitLab
  /^xox[abposr]-[A-Za-z0-9-]{10,}/, // Slack
  /^AKIA[0-9A-Z]{16}$/, // AWS access key id
  /^AIza[0-9A-Za-z_-]{30,}/, // Google API key
  /^eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*$/, // JWT
];

export function isSecretValue(value: string): boolean {
  const v = value.trim();
  if (PLACEHOLDER.test(v) && v.replace(PLACEHOLDER_G, '').trim() === '') return false;
  return SECRET_VALUES.some((re) => re.test(v));
}

const PLACEHOLDER = /\$\{[^{}\s]{1,200}\}/;
const PLACEHOLDER_G = /\$\{[^{}\s]{1,200}\}/g;

/** Every `${…}` in any string (keys included) of the entry, in order, once each, capped. */
function collectPlaceholders(entry: Json): string[] {
  const found = new Set<string>();
  const visit = (v: Json, depth: number) => {
    if (found.size >= MAX_PLACEHOLDERS || depth > MAX_DEPTH) return;
    if (typeof v === 'string') {
      for (const m of v.match(PLACEHOLDER_G) ?? []) if (found.size < MAX_PLACEHOLDERS) found.add(stripControls(m));
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

/** C0, DEL, C1, zero-width and bidi controls: they can make a name look like another one. */
const INVISIBLE_G = /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]/g;

function stripControls(s: string): string {
  return s.replace(INVISIBLE_G, '');
}

function cleanName(s: string): string {
  return stripControls(s).trim().slice(0, MAX_NAME_LENGTH);
}

function uniqueName(name: string, taken: Set<string>): string {
  let candidate = name;
  for (let i = 2; taken.has(candidate); i++) candidate = `${name} (${i})`;
  taken.add(candidate);
  return candidate;
}

function isObject(v: Json | undefined): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** An own property only (the objects have no prototype, but be explicit). */
function own(obj: JsonObject, key: string): Json | undefined {
  return Object.prototype.hasOwnProperty.call(obj, key) ? obj[key] : undefined;
}

function str(v: Json | undefined): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

function describe(v: Json | undefined): string {
  if (v === undefined) return 'missing';
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'an object';
  return `a ${typeof v}`;
}

// ---------------------------------------------------------------------------------------------
// Where the configs live
// ---------------------------------------------------------------------------------------------

export interface ConfigPath {
  path: string;
  source: ImportSource;
}

/** At most this many profile folders are read per editor (VS Code names them by a hash of the profile name). */
export const MAX_PROFILES = 100;

/**
 * VS Code and its rebuilds keep user data in `<appData>/<product.nameShort>/User`, where appData is
 * `VSCODE_APPDATA` when set, else `%APPDATA%` (Windows), `~/Library/Application Support` (macOS),
 * `$XDG_CONFIG_HOME` or `~/.config` (Linux), and portable mode uses `$VSCODE_PORTABLE/user-data` instead:
 * @see https://github.com/microsoft/vscode/blob/main/src/vs/platform/environment/node/userDataPath.ts
 * The default profile's files are in `User/`; every other profile has its own `User/profiles/<id>/` with
 * the same file names (`profilesHome = joinPath(userRoamingDataHome, 'profiles')`,
 * `mcpResource: joinPath(location, 'mcp.json')`):
 * @see https://github.com/microsoft/vscode/blob/main/src/vs/platform/userDataProfile/common/userDataProfile.ts
 * nameShort: "Code" (https://code.visualstudio.com/docs/getstarted/settings#_settings-file-locations) and
 * "Code - Insiders" (not in the docs; the folder Insiders users report, e.g. `%APPDATA%\Code - Insiders\User`
 * in https://github.com/coder/vscode-coder/issues/60); "VSCodium" and
 * "VSCodium - Insiders" (set by VSCodium's build, https://github.com/VSCodium/vscodium/blob/master/prepare_vscode.sh).
 */
const VSCODE_FAMILY: ReadonlyArray<{ folder: string; user: ImportSource; settings: ImportSource; profile: ImportSource }> = [
  { folder: 'Code', user: 'vscode-user', settings: 'vscode-user-settings', profile: 'vscode-profile' },
  { folder: 'Code - Insiders', user: 'vscode-insiders-user', settings: 'vscode-insiders-user-settings', profile: 'vscode-insiders-profile' },
  { folder: 'VSCodium', user: 'vscodium-user', settings: 'vscodium-user-settings', profile: 'vscodium-profile' },
  // VSCodium Insiders shares VSCodium's labels; the path tells them apart.
  { folder: 'VSCodium - Insiders', user: 'vscodium-user', settings: 'vscodium-user-settings', profile: 'vscodium-profile' },
];

/** A file to read, or a `profiles` folder whose sub-folders each hold a profile's files. */
type Location = { path: string; source: ImportSource } | { profilesDir: string; source: ImportSource };

function locations(
  platform: NodeJS.Platform,
  home: string,
  workspaceFolders: string[],
  env: Record<string, string | undefined>,
): Location[] {
  const p = platform === 'win32' ? win32 : posix;
  const out: Location[] = [];
  const seen = new Set<string>();
  const keyOf = (path: string) => (platform === 'win32' || platform === 'darwin' ? path.toLowerCase() : path);
  const add = (path: string, source: ImportSource) => {
    const key = keyOf(path);
    if (seen.has(key)) return;
    seen.add(key);
    out.push({ path, source });
  };
  const addProfiles = (profilesDir: string, source: ImportSource) => {
    const key = `profiles:${keyOf(profilesDir)}`;
    if (seen.has(key)) return;
    seen.add(key);
    out.push({ profilesDir, source });
  };
  /** One editor's `User` folder: mcp.json, the settings.json "mcp" key, then the other profiles. */
  const addUserDir = (userDir: string, labels: { user: ImportSource; settings: ImportSource; profile: ImportSource }) => {
    add(p.join(userDir, 'mcp.json'), labels.user);
    add(p.join(userDir, 'settings.json'), labels.settings);
    addProfiles(p.join(userDir, 'profiles'), labels.profile);
  };
  const nonEmpty = (v: string | undefined) => (v && v.trim() ? v : undefined);
  const [code] = VSCODE_FAMILY;

  for (const folder of workspaceFolders) {
    if (!folder) continue;
    add(p.join(folder, '.vscode', 'mcp.json'), 'vscode-workspace');
    add(p.join(folder, '.cursor', 'mcp.json'), 'cursor');
    add(p.join(folder, '.mcp.json'), 'other'); // the portable "mcpServers" format (Claude Code, Copilot)
  }

  // Portable mode: the running VS Code's data is there (only one product per portable folder).
  const portable = nonEmpty(env.VSCODE_PORTABLE);
  if (portable) addUserDir(p.join(portable, 'user-data', 'User'), code);
  // VSCODE_APPDATA replaces the platform folder for whichever product was started with it.
  const vscodeAppData = nonEmpty(env.VSCODE_APPDATA);
  if (vscodeAppData) for (const product of VSCODE_FAMILY) addUserDir(p.join(vscodeAppData, product.folder, 'User'), product);

  // code-server: `--user-data-dir` defaults to $XDG_DATA_HOME/code-server or ~/.local/share/code-server, on
  // macOS too (https://coder.com/docs/code-server/FAQ#where-is-vs-code-configuration-stored).
  const codeServer = p.join(nonEmpty(env.XDG_DATA_HOME) ?? p.join(home, '.local', 'share'), 'code-server', 'User');
  let appData: string;
  if (platform === 'win32') appData = nonEmpty(env.APPDATA) ?? p.join(home, 'AppData', 'Roaming');
  else if (platform === 'darwin') appData = p.join(home, 'Library', 'Application Support');
  else appData = nonEmpty(env.XDG_CONFIG_HOME) ?? p.join(home, '.config');

  addUserDir(p.join(appData, code.folder, 'User'), code);
  if (platform !== 'win32') addUserDir(codeServer, code);
  for (const product of VSCODE_FAMILY.slice(1)) addUserDir(p.join(appData, product.folder, 'User'), product);

  // Cursor: ~/.cursor/mcp.json on every platform (%USERPROFILE%\.cursor on Windows): https://cursor.com/docs/mcp
  add(p.join(home, '.cursor', 'mcp.json'), 'cursor');
  // Windsurf: ~/.codeium/windsurf/mcp_config.json (%USERPROFILE%\.codeium\windsurf on Windows), the Windsurf
  // plugins (JetBrains) ~/.codeium/mcp_config.json: https://docs.windsurf.com/windsurf/cascade/mcp,
  // https://docs.windsurf.com/plugins/cascade/mcp. Not read: Windsurf Next (its folder is not documented).
  add(p.join(home, '.codeium', 'windsurf', 'mcp_config.json'), 'windsurf');
  add(p.join(home, '.codeium', 'mcp_config.json'), 'windsurf-plugin');
  // Claude Desktop: %APPDATA%\Claude and ~/Library/Application Support/Claude are the documented ones
  // (https://modelcontextprotocol.io/quickstart/user). The Windows MSIX build (the installer's default since
  // early 2026) reads a virtualized copy under its package folder, publisher id pzs8sxrjxfjjc — not in
  // Anthropic's docs; from reports such as https://github.com/anthropics/claude-code/issues/26073. There is no
  // official Linux build: ~/.config/Claude (Electron's appData, so XDG_CONFIG_HOME) is where the community
  // builds keep it — unconfirmed by Anthropic.
  add(p.join(appData, 'Claude', 'claude_desktop_config.json'), 'claude-desktop');
  if (platform === 'win32') {
    const localAppData = nonEmpty(env.LOCALAPPDATA) ?? p.join(home, 'AppData', 'Local');
    add(p.join(localAppData, 'Packages', 'Claude_pzs8sxrjxfjjc', 'LocalCache', 'Roaming', 'Claude', 'claude_desktop_config.json'), 'claude-desktop');
  }
  return out;
}

/**
 * The config files worth looking at, workspace ones first, each once. The adapter reads the ones that
 * exist and passes their text to `parseMcpConfig`. Paths are built for `platform` (win32 paths on
 * Windows whatever platform this runs on). VS Code profiles other than the default are not here: they
 * need a directory listing, see `discoverConfigPaths`.
 */
export function defaultConfigPaths(
  platform: NodeJS.Platform,
  home: string,
  workspaceFolders: string[],
  env: Record<string, string | undefined>,
): ConfigPath[] {
  return locations(platform, home, workspaceFolders, env).flatMap((l) => ('path' in l ? [{ path: l.path, source: l.source }] : []));
}

/**
 * `defaultConfigPaths` plus the non-default VS Code / Insiders / VSCodium / code-server profiles: each
 * sub-folder of `User/profiles` gives its `mcp.json` and `settings.json`, right after that editor's own.
 * `readDir(path)` lists the entry names in a folder (names, not paths; only folders matter); it may reject
 * when the folder is not there, which skips it. Never rejects. At most MAX_PROFILES folders per editor.
 */
export async function discoverConfigPaths(
  platform: NodeJS.Platform,
  home: string,
  workspaceFolders: string[],
  env: Record<string, string | undefined>,
  readDir: (path: string) => Promise<string[]>,
): Promise<ConfigPath[]> {
  const p = platform === 'win32' ? win32 : posix;
  const all = locations(platform, home, workspaceFolders, env);
  const listed = await Promise.all(
    all.map(async (l) => {
      if ('path' in l) return [];
      let names: unknown;
      try {
        names = await readDir(l.profilesDir);
      } catch {
        return []; // not there
      }
      return Array.isArray(names) ? names.filter(isProfileFolderName).slice(0, MAX_PROFILES) : [];
    }),
  );
  const out: ConfigPath[] = [];
  const seen = new Set<string>();
  const add = (path: string, source: ImportSource) => {
    const key = platform === 'win32' || platform === 'darwin' ? path.toLowerCase() : path;
    if (seen.has(key)) return;
    seen.add(key);
    out.push({ path, source });
  };
  all.forEach((l, i) => {
    if ('path' in l) return add(l.path, l.source);
    for (const name of listed[i]) {
      add(p.join(l.profilesDir, name, 'mcp.json'), l.source);
      add(p.join(l.profilesDir, name, 'settings.json'), l.source);
    }
  });
  return out;
}

/** One path segment: no separators, no `.` / `..`, no control characters, not absurdly long. */
function isProfileFolderName(name: unknown): name is string {
  return typeof name === 'string' && name.length > 0 && name.length <= 255 && name !== '.' && name !== '..' && !/[\\/\u0000-\u001f\u007f]/.test(name);
}
