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
if (!Number.isInteger(mcpPort) || mcpPort < 1 || mcpPort > 65535) {
  console.error(`npm run demo: MCP_DEMO_PORT must be a port number from 1 to 65535 (got ${JSON.stringify(process.env.MCP_DEMO_PORT)}); the editor's server list is written with it, so a random port (0) cannot work here.`);
  process.exit(2);
}
const children = [];
let stopping = false;

/** Stops every child's process group and waits (up to 5 s) for them to go, then exits. */
async function stopAll(code = 0) {
  if (stopping) return;
  stopping = true;
  const alive = children.filter((c) => c.exitCode === null && c.signalCode === null);
  const gone = Promise.all(alive.map((c) => new Promise((r) => c.once('exit', r))));
  for (const c of alive) {
    try {
      process.kill(-c.pid, 'SIGTERM');
    } catch {
      /* gone */
    }
  }
  await Promise.race([gone, new Promise((r) => setTimeout(r, 5000).unref())]);
  process.exit(code);
}
process.on('SIGINT', () => void stopAll(0));
process.on('SIGTERM', () => void stopAll(0));

// Everything slow (build, package, the first code-server install) happens before any server starts,
// so a Ctrl-C or a failure there leaves nothing running.
execFileSync(process.execPath, ['esbuild.mjs', '--production'], { cwd: root, stdio: 'inherit' });
const servers = [
  { name: 'Todo demo (all behind OAuth)', url: `http://localhost:${mcpPort}/mcp` },
  { name: 'Todo demo (per-tool security)', url: `http://localhost:${mcpPort}/mcp-mixed` },
];
const useEditor = process.env.MCP_DEMO_EDITOR !== 'none';
const vsixDir = join(cache, 'demo-editor');
const vsix = join(vsixDir, 'mcp-oauth-inspector.vsix');
const hasCode = useEditor && spawnSync('code', ['--version'], { stdio: 'ignore' }).status === 0;
let launcher;
if (useEditor) {
  mkdirSync(vsixDir, { recursive: true });
  execFileSync(join(root, 'node_modules/.bin/vsce'), ['package', '--no-dependencies', '--allow-missing-repository', '--skip-license', '-o', vsix], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
  if (hasCode) execFileSync('code', ['--install-extension', vsix, '--force'], { stdio: 'inherit' });
  else launcher = execFileSync('bash', [join(root, 'scripts/install-code-server.sh')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim();
}

const demo = spawn(join(root, 'node_modules/.bin/tsx'), ['demo/main.ts'], { cwd: root, stdio: 'inherit', detached: true });
children.push(demo);
demo.on('exit', (code) => void stopAll(code ?? 1));

if (!useEditor) {
  // demo/main.ts prints the URLs and next steps.
} else if (hasCode) {
  console.log(`\nInstalled MCP OAuth Inspector into your VS Code (${vsix}).`);
  console.log(`Open the "MCP OAuth Inspector" view and run "MCP Inspector: Connect to Server" with ${servers[0].url}\n`);
} else {
  const userData = join(vsixDir, 'user-data');
  const extensions = join(vsixDir, 'extensions');
  const folder = join(vsixDir, 'workspace');
  for (const d of [join(userData, 'User'), extensions, folder, join(vsixDir, 'xdg-config')]) mkdirSync(d, { recursive: true });
  writeFileSync(
    join(userData, 'User', 'settings.json'),
    JSON.stringify(
      {
        'mcpOAuthInspector.servers': servers,
        // The browser that opens this editor runs on this machine, so the loopback redirect reaches
        // the extension host directly (the demo's Client ID Metadata Document lists loopback URIs).
        'mcpOAuthInspector.redirectMode': 'loopback',
        'workbench.startupEditor': 'none',
        'telemetry.telemetryLevel': 'off',
        'security.workspace.trust.enabled': false,
      },
      null,
      2,
    ),
  );
  const env = { ...process.env, XDG_CONFIG_HOME: join(vsixDir, 'xdg-config') };
  execFileSync(process.execPath, [launcher, '--user-data-dir', userData, '--extensions-dir', extensions, '--install-extension', vsix, '--force'], { env, stdio: ['ignore', 'ignore', 'inherit'] });
  const editor = spawn(
    process.execPath,
    [launcher, '--auth', 'none', '--bind-addr', `127.0.0.1:${editorPort}`, '--user-data-dir', userData, '--extensions-dir', extensions, '--disable-telemetry', '--disable-update-check', '--disable-workspace-trust', folder],
    { env, stdio: ['ignore', 'ignore', 'inherit'], detached: true },
  );
  children.push(editor);
  editor.on('exit', (code) => void stopAll(code ?? 1));
  console.log(`\nEditor: http://127.0.0.1:${editorPort}/ — VS Code (code-server) with MCP OAuth Inspector installed and the demo servers in its Servers view.`);
  console.log('Open the shield icon in the activity bar, then Connect on a server; sign in as demo / demo.\n');
}
