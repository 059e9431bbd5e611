// The editor a person gets from `npm run demo`, in one place: how the extension is packaged, which
// code-server runs it, the settings and environment that editor starts with, and how the VSIX is
// installed into it. The UI tests start their editors through these same functions, so a setting or
// an environment variable the tests need is one the demo has too (and the other way round).
//
// code-server versions: 4.100.3 (VS Code 1.100.3, the oldest the manifest accepts, runs on Node 20)
// and 4.139.1 (current stable, needs Node 24). scripts/install-code-server.sh installs either into
// the cache and writes a launcher that runs it on the Node it needs.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const cacheRoot = process.env.MCP_INSPECTOR_CACHE || join(homedir(), '.cache', 'mcp-oauth-inspector');

/** The oldest VS Code the manifest accepts (engines.vscode ^1.100.0) and the current stable one. */
export const CODE_SERVER_OLDEST = '4.100.3';
export const CODE_SERVER_CURRENT = '4.139.1';
export const CODE_SERVER_DEFAULT = process.env.CODE_SERVER_VERSION || CODE_SERVER_OLDEST;

/**
 * Installs code-server `version` (idempotent, cached by version; a fraction of a second when warm)
 * and returns the path of its launcher: an executable that runs code-server on the Node it needs.
 */
export function ensureCodeServer(version = CODE_SERVER_DEFAULT) {
  const r = spawnSync('bash', [join(repoRoot, 'scripts', 'install-code-server.sh')], {
    cwd: repoRoot,
    stdio: ['ignore', 'pipe', 'inherit'],
    encoding: 'utf8',
    env: { ...process.env, CODE_SERVER_VERSION: version },
  });
  if (r.status !== 0) throw new Error(`scripts/install-code-server.sh failed for code-server ${version} (exit ${r.status})`);
  const launcher = r.stdout.trim().split('\n').pop();
  if (!launcher || !existsSync(launcher)) throw new Error(`scripts/install-code-server.sh printed no launcher for code-server ${version}`);
  return launcher;
}

/**
 * The environment of the editor process (and so of the extension host).
 *
 * VSCODE_PROXY_URI='': code-server rewrites every `openExternal` of a localhost URL to its own
 * `/proxy/<port>/` path and drops the path and query (coder/code-server#6504), so the sign-in page
 * of an authorization server on localhost never opens and the loopback redirect never arrives. An
 * empty VSCODE_PROXY_URI turns that rewrite off. The browser that opens this editor runs on the
 * same machine, so localhost URLs reach their servers as they are.
 */
export function editorEnv({ xdgConfigHome, xdgDataHome } = {}) {
  return {
    VSCODE_PROXY_URI: '',
    ...(xdgConfigHome ? { XDG_CONFIG_HOME: xdgConfigHome } : {}),
    ...(xdgDataHome ? { XDG_DATA_HOME: xdgDataHome } : {}),
  };
}

/**
 * The demo's servers, as the demo's editor lists them in its Servers view; the deliberately
 * misconfigured one (demo/README.md) only when its URL is given, for trying Audit Server on it.
 */
export function demoServers({ mcpUrl, mixedUrl, misconfiguredUrl }) {
  return [
    { name: 'Todo demo (all behind OAuth)', url: mcpUrl },
    { name: 'Todo demo (per-tool security)', url: mixedUrl },
    ...(misconfiguredUrl ? [{ name: 'Todo demo (misconfigured, for Audit Server)', url: misconfiguredUrl }] : []),
  ];
}

/** The user settings of the demo's editor. `servers` goes into the extension's server list. */
export function editorSettings({ servers } = {}) {
  return {
    ...(servers ? { 'mcpOAuthInspector.servers': servers } : {}),
    // The browser is on this machine, so the plain loopback redirect reaches the extension host
    // directly, as the demo's Client ID Metadata Document and its pre-registered clients expect.
    // ('auto', the default, picks the forwarded redirect in a browser-based editor.)
    'mcpOAuthInspector.redirectMode': 'loopback',
    // The extension's loopback receiver is not an app to forward: no "port forwarded" toasts.
    'remote.autoForwardPorts': false,
    'workbench.startupEditor': 'none',
    // Current VS Code opens a chat side bar on first start; the demo is about this extension's views.
    'workbench.secondarySideBar.defaultVisibility': 'hidden',
    'workbench.tips.enabled': false,
    'workbench.enableExperiments': false,
    'telemetry.telemetryLevel': 'off',
    'extensions.autoCheckUpdates': false,
    'extensions.autoUpdate': false,
    'update.mode': 'none',
    'security.workspace.trust.enabled': false,
  };
}

/** Writes `settings` as the user settings of `userDataDir`. */
export function writeUserSettings(userDataDir, settings) {
  mkdirSync(join(userDataDir, 'User'), { recursive: true });
  writeFileSync(join(userDataDir, 'User', 'settings.json'), JSON.stringify(settings, null, 2));
}

/** code-server's command line for an editor on 127.0.0.1:`port`. */
export function codeServerArgs({ port, userDataDir, extensionsDir, folder }) {
  return [
    '--auth', 'none',
    '--bind-addr', `127.0.0.1:${port}`,
    '--user-data-dir', userDataDir,
    '--extensions-dir', extensionsDir,
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-workspace-trust',
    '--disable-getting-started-override',
    '--ignore-last-opened',
    folder,
  ];
}

/** The VSIX the demo installs and the UI tests test (one file, rebuilt by packageVsix()). */
export const vsixPath = join(cacheRoot, 'vsix', 'mcp-oauth-inspector.vsix');

/**
 * Packages the extension with vsce into `out` (default vsixPath) and returns the path. vsce runs
 * `vscode:prepublish` first, the production build (`node esbuild.mjs --production`).
 */
export function packageVsix({ out = vsixPath } = {}) {
  mkdirSync(dirname(out), { recursive: true });
  execFileSync(join(repoRoot, 'node_modules/.bin/vsce'), ['package', '--no-dependencies', '--allow-missing-repository', '--skip-license', '-o', out], {
    cwd: repoRoot,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  if (!existsSync(out) || statSync(out).size === 0) throw new Error(`vsce package wrote no VSIX at ${out}`);
  return out;
}

/** Installs the VSIX into an editor's extensions folder, the way a person does (`--install-extension`). */
export function installVsix({ launcher, userDataDir, extensionsDir, vsix = vsixPath, env = {} }) {
  const r = spawnSync(launcher, ['--user-data-dir', userDataDir, '--extensions-dir', extensionsDir, '--install-extension', vsix, '--force'], {
    env: { ...process.env, ...env },
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 120_000,
  });
  if (r.status !== 0) throw new Error(`installing ${vsix} into code-server failed (exit ${r.status ?? r.signal}):\n${(r.stdout + r.stderr).slice(-2000)}`);
  const manifest = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8'));
  const installed = join(extensionsDir, `${manifest.publisher}.${manifest.name}-${manifest.version}`);
  if (!existsSync(join(installed, 'package.json'))) throw new Error(`code-server reported success but ${installed} is missing:\n${r.stdout}`);
  return installed;
}
