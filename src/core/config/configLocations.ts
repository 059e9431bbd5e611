/**
 * Where the MCP server configs people already have live, per editor and per operating system: the
 * workspace's `.vscode/mcp.json`, `.cursor/mcp.json` and `.mcp.json`; VS Code's, VS Code Insiders',
 * VSCodium's and code-server's user `mcp.json` and `settings.json` and their other profiles; Cursor,
 * Windsurf and Claude Desktop. Paths only: the adapter reads the files that exist and hands their
 * text to `parseMcpConfig` (parseConfig.ts). No 'vscode' and no file system here, so every platform's
 * layout is unit-tested on any machine.
 */
import { posix, win32 } from 'node:path';

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
