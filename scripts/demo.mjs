#!/usr/bin/env node
// `npm run demo`: builds and packages the extension, starts the demo servers (demo/main.ts), and
// opens an editor with the extension:
//  - `code` on PATH: installs the VSIX there and says so;
//  - otherwise: code-server (installed into ~/.cache on first use) on http://127.0.0.1:5090 with the
//    extension installed and both demo servers already in the Servers view; the URL is printed.
// Ctrl-C stops everything. MCP_DEMO_EDITOR=none skips the editor; MCP_DEMO_EDITOR_PORT sets its port.
//
// The editor's settings, environment, code-server version and VSIX install come from
// scripts/editor.mjs, which the UI tests use too: what the tests run is what this opens.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { cacheRoot as cache, codeServerArgs, demoServers, editorEnv, editorSettings, ensureCodeServer, installVsix, packageVsix, repoRoot as root, writeUserSettings } from './editor.mjs';

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
const servers = demoServers({ mcpUrl: `http://localhost:${mcpPort}/mcp`, mixedUrl: `http://localhost:${mcpPort}/mcp-mixed`, misconfiguredUrl: `http://localhost:${mcpPort}/mcp-misconfigured` });
const useEditor = process.env.MCP_DEMO_EDITOR !== 'none';
const vsixDir = join(cache, 'demo-editor');
const vsix = join(vsixDir, 'mcp-oauth-inspector.vsix');
const hasCode = useEditor && spawnSync('code', ['--version'], { stdio: 'ignore' }).status === 0;
let launcher;
// The production build (vsce runs `vscode:prepublish`); the demo server's CLI hints use dist/ too.
if (useEditor) packageVsix({ out: vsix });
else execFileSync(process.execPath, ['esbuild.mjs', '--production'], { cwd: root, stdio: 'inherit' });
if (useEditor) {
  if (hasCode) execFileSync('code', ['--install-extension', vsix, '--force'], { stdio: 'inherit' });
  else launcher = ensureCodeServer();
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
  writeUserSettings(userData, editorSettings({ servers }));
  const env = { ...process.env, ...editorEnv({ xdgConfigHome: join(vsixDir, 'xdg-config') }) };
  installVsix({ launcher, userDataDir: userData, extensionsDir: extensions, vsix, env });
  const editor = spawn(launcher, codeServerArgs({ port: editorPort, userDataDir: userData, extensionsDir: extensions, folder }), {
    env,
    stdio: ['ignore', 'ignore', 'inherit'],
    detached: true,
  });
  children.push(editor);
  editor.on('exit', (code) => void stopAll(code ?? 1));
  console.log(`\nEditor: http://127.0.0.1:${editorPort}/ — VS Code (code-server) with MCP OAuth Inspector installed and the demo servers in its Servers view.`);
  console.log('Open the shield icon in the activity bar, then Connect on a server; sign in as demo / demo.\n');
}
