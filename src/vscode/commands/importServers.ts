import * as os from 'node:os';
import * as vscode from 'vscode';
import { discoverConfigPaths, type ImportSource } from '../../core/config/configLocations';
import { parseMcpConfig, type ImportedServer } from '../../core/config/parseConfig';
import { checkUrl } from '../../core/http/urlPolicy';
import { serverIdFor } from '../serverStore';
import type { Services } from '../services';
import { readSettings } from '../settings';

/**
 * `mcpOAuthInspector.importServers`: remote MCP servers from the VS Code, Cursor, Windsurf and
 * Claude Desktop configs on this machine (core/config), picked in a quick pick, their `${input:…}`
 * / `${env:…}` URL placeholders filled in, each checked and added on its own. Returns the names added.
 *
 * From code (tests): `{ paths: [{ path, source }] }` instead of the default locations, `{ all: true }`
 * instead of the pick, `{ inputs: { "input:host": "…" } }` instead of the input boxes.
 */
export async function importServers(s: Services, arg?: unknown): Promise<string[]> {
  // From code (tests): { paths: [{ path, source }] } instead of the default locations.
  const paths = arg && typeof arg === 'object' && Array.isArray((arg as { paths?: unknown }).paths)
    ? ((arg as { paths: Array<{ path: string; source: ImportSource }> }).paths)
    : await discoverConfigPaths(process.platform, os.homedir(), (vscode.workspace.workspaceFolders ?? []).map((f) => f.uri.fsPath), process.env, async (dir) =>
        // profile folders (User/profiles/<id>/) of each editor
        (await vscode.workspace.fs.readDirectory(vscode.Uri.file(dir))).filter(([, type]) => (type & vscode.FileType.Directory) !== 0).map(([name]) => name),
      );
  const found: ImportedServer[] = [];
  const problems: string[] = [];
  for (const { path, source } of paths) {
    let text: string;
    try {
      text = new TextDecoder().decode(await vscode.workspace.fs.readFile(vscode.Uri.file(path)));
    } catch {
      continue; // not there: nothing to import from it
    }
    const r = parseMcpConfig(text, source, path, { allowHttpHosts: readSettings().allowHttpHosts });
    if (r.error) problems.push(`${path}: ${r.error}`);
    found.push(...r.servers.filter((x) => x.kind !== 'stdio'));
  }
  if (found.length === 0) {
    void vscode.window.showInformationMessage(`No remote MCP servers found in ${paths.length} config locations${problems.length ? ` (${problems.join('; ')})` : ''}. Stdio servers are not imported: they have no OAuth.`);
    return [];
  }
  const items = found.map((x) => ({
    label: x.name,
    description: `${x.url ?? ''} · ${x.source}`,
    detail: [x.problems.join('; '), x.placeholders.length ? `placeholders left for you: ${x.placeholders.join(' ')}` : '', x.droppedSecrets.length ? `not imported (secrets): ${x.droppedSecrets.join(', ')}` : ''].filter(Boolean).join(' · ') || x.sourcePath,
    picked: x.importable && !s.servers.findByUrl(x.url ?? ''),
    x,
  }));
  const chosen = arg && typeof arg === 'object' && (arg as { all?: boolean }).all
    ? items.filter((i) => i.x.importable)
    : await vscode.window.showQuickPick(items, { canPickMany: true, title: 'Import MCP servers', placeHolder: 'Servers found in VS Code, Cursor and Claude Desktop configs' });
  if (!chosen?.length) return [];
  // From code (tests): { inputs: { "input:host": "…" } } answers the placeholders instead of input
  // boxes; with { all: true } and no inputs nothing is asked (templated servers are skipped).
  const inputs = arg && typeof arg === 'object' ? (arg as { inputs?: unknown }).inputs : undefined;
  const given = inputs && typeof inputs === 'object' ? (inputs as Record<string, string>) : arg && typeof arg === 'object' && (arg as { all?: boolean }).all ? {} : undefined;
  const added: string[] = [];
  const skipped: string[] = [];
  for (const { x } of chosen) {
    if (!x.importable || !x.url) {
      skipped.push(`${x.name} (${x.problems[0] ?? 'not importable'})`);
      continue;
    }
    // One bad entry never stops the others: each is filled in, checked and added on its own.
    try {
      const filled = await fillUrlPlaceholders(x, given);
      if (!filled.url) {
        skipped.push(`${x.name} (${filled.reason})`);
        continue;
      }
      const url = checkUrl(filled.url, 'MCP server URL', readSettings().allowHttpHosts).href;
      await s.servers.upsert({ id: serverIdFor(url), name: x.name, url, transport: x.kind === 'sse' ? 'sse' : 'auto', source: x.sourcePath });
      added.push(x.name);
    } catch (err) {
      skipped.push(`${x.name} (${s.redactor.text((err as Error).message)})`);
    }
  }
  const summary = `Imported ${added.length} server${added.length === 1 ? '' : 's'}${added.length ? `: ${added.join(', ')}` : ''}.`;
  if (skipped.length) void vscode.window.showWarningMessage(`${summary} Skipped: ${skipped.join('; ')}`);
  else void vscode.window.showInformationMessage(summary);
  return added;
}

const URL_PLACEHOLDER = /\$\{([^}]{1,100})\}/g;

/**
 * The URL of an imported server with its `${input:…}` / `${env:…}` placeholders filled in: from
 * `given` (tests), else asked one by one in an input box (`${env:X}` is offered from the environment).
 * Undefined URL (with the reason) when the user leaves one empty or cancels: that server is skipped.
 * Values are inserted as typed (a placeholder often stands for `host:port`); the whole URL is then
 * checked like any other.
 */
async function fillUrlPlaceholders(x: ImportedServer, given?: Record<string, string>): Promise<{ url?: string; reason?: string }> {
  const url = x.url ?? '';
  const names = [...new Set([...url.matchAll(URL_PLACEHOLDER)].map((m) => m[1]))];
  const values = new Map<string, string>();
  for (const name of names) {
    const env = name.startsWith('env:') ? process.env[name.slice(4)] : undefined;
    const value = given
      ? given[name]
      : await vscode.window.showInputBox({
          title: `Import ${x.name}`,
          prompt: `Value for \${${name}} in ${url} (from ${x.source})`,
          value: env,
          ignoreFocusOut: true,
          validateInput: (v) => (v.trim() ? undefined : 'Enter a value, or press Escape to skip this server'),
        });
    if (!value?.trim()) return { reason: `\${${name}} was not filled in` };
    values.set(name, value.trim());
  }
  return { url: url.replace(URL_PLACEHOLDER, (_m, name: string) => values.get(name) ?? '') };
}
