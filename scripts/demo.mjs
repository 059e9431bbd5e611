#!/usr/bin/env node
// `npm run demo`: builds and packages the extension, starts the demo servers (demo/main.ts), and
// opens an editor with the extension:
//  - `code` on PATH: installs the VSIX there and says so;
//  - otherwise: code-server (installed into ~/.cache on first use) on http://127.0.0.1:5090 with the
//    extension installed and both demo servers already in the Servers view; the URL is printed.
// Ctrl-C stops everything. MCP_DEMO_EDITOR=none skips the editor; MCP_DEMO_EDITOR_PORT sets its port.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const cache = process.env.MCP_INSPECTOR_CACHE || join(homedir(), '.cache', 'mcp-oauth-inspector');
const editorPort = Number(process.env.MCP_DEMO_EDITOR_PORT || 5090);
const mcpPort = Number(process.env.MCP_DEMO_PORT || 5080);
const children = [];

function stopAll(code = 0) {
  for (const c of children) {
    try {
      process.kill(-c.pid, 'SIGTERM');
    } catch {
      /* gone */
    }
  }
  process.exit(code);
}
process.on('SIGINT', () => stopAll(0));
process.on('SIGTERM', () => stopAll(0));

execFileSync(process.execPath, ['esbuild.mjs', '--production'], { cwd: root, stdio: 'inherit' });
const demo = spawn(join(root, 'node_modules/.bin/tsx'), ['demo/main.ts'], { cwd: root, stdio: 'inherit', detached: true });
children.push(demo);
demo.on('exit', (code) => stopAll(code ?? 1));

if (process.env.MCP_DEMO_EDITOR === 'none') {
  // demo/main.ts prints the URLs and next steps.
} else {
  const vsixDir = join(cache, 'demo-editor');
  mkdirSync(vsixDir, { recursive: true });
  const vsix = join(vsixDir, 'mcp-oauth-inspector.vsix');
  execFileSync(join(root, 'node_modules/.bin/vsce'), ['package', '--no-dependencies', '--allow-missing-repository', '--skip-license', '-o', vsix], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
  const servers = [
    { name: 'Todo demo (all behind OAuth)', url: `http://localhost:${mcpPort}/mcp` },
    { name: 'Todo demo (per-tool security)', url: `http://localhost:${mcpPort}/mcp-mixed` },
  ];
  const hasCode = spawnSync('code', ['--version'], { stdio: 'ignore' }).status === 0;
  if (hasCode) {
    execFileSync('code', ['--install-extension', vsix, '--force'], { stdio: 'inherit' });
    console.log(`\nInstalled MCP OAuth Inspector into your VS Code (${vsix}).`);
    console.log(`Open the "MCP OAuth Inspector" view and run "MCP Inspector: Connect to Server" with ${servers[0].url}\n`);
  } else {
    const launcher = execFileSync('bash', [join(root, 'scripts/install-code-server.sh')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim();
    const userData = join(vsixDir, 'user-data');
    const extensions = join(vsixDir, 'extensions');
    const folder = join(vsixDir, 'workspace');
    for (const d of [join(userData, 'User'), extensions, folder, join(vsixDir, 'xdg-config')]) mkdirSync(d, { recursive: true });
    writeFileSync(
      join(userData, 'User', 'settings.json'),
      JSON.stringify({ 'mcpOAuthInspector.servers': servers, 'workbench.startupEditor': 'none', 'telemetry.telemetryLevel': 'off', 'security.workspace.trust.enabled': false }, null, 2),
    );
    const env = { ...process.env, XDG_CONFIG_HOME: join(vsixDir, 'xdg-config') };
    execFileSync(process.execPath, [launcher, '--user-data-dir', userData, '--extensions-dir', extensions, '--install-extension', vsix, '--force'], { env, stdio: ['ignore', 'ignore', 'inherit'] });
    const editor = spawn(
      process.execPath,
      [launcher, '--auth', 'none', '--bind-addr', `127.0.0.1:${editorPort}`, '--user-data-dir', userData, '--extensions-dir', extensions, '--disable-telemetry', '--disable-update-check', '--disable-workspace-trust', folder],
      { env, stdio: ['ignore', 'ignore', 'inherit'], detached: true },
    );
    children.push(editor);
    editor.on('exit', (code) => stopAll(code ?? 1));
    console.log(`\nEditor: http://127.0.0.1:${editorPort}/ — VS Code (code-server) with MCP OAuth Inspector installed and the demo servers in its Servers view.`);
    console.log('Open the shield icon in the activity bar, then Connect on a server; sign in as demo / demo.\n');
  }
}
