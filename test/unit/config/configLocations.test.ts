import assert from 'node:assert/strict';
import { IMPORT_SOURCE_LABELS, MAX_PROFILES, defaultConfigPaths, discoverConfigPaths, importSourceLabel } from '../../../src/core/config/configLocations';
import type { ImportSource } from '../../../src/core/config/configLocations';
import { parseMcpConfig } from '../../../src/core/config/parseConfig';

describe('config/configLocations defaultConfigPaths', () => {
  const paths = (r: Array<{ path: string; source: string }>) => r.map((x) => `${x.source} ${x.path}`);
  const has = (r: Array<{ path: string; source: string }>, source: ImportSource, path: string) =>
    assert.ok(r.some((x) => x.source === source && x.path === path), `${source} ${path} not in\n${paths(r).join('\n')}`);

  it('linux', () => {
    assert.deepEqual(paths(defaultConfigPaths('linux', '/home/u', ['/w/app'], {})), [
      'vscode-workspace /w/app/.vscode/mcp.json',
      'cursor /w/app/.cursor/mcp.json',
      'other /w/app/.mcp.json',
      'vscode-user /home/u/.config/Code/User/mcp.json',
      'vscode-user-settings /home/u/.config/Code/User/settings.json',
      'vscode-user /home/u/.local/share/code-server/User/mcp.json',
      'vscode-user-settings /home/u/.local/share/code-server/User/settings.json',
      'vscode-insiders-user /home/u/.config/Code - Insiders/User/mcp.json',
      'vscode-insiders-user-settings /home/u/.config/Code - Insiders/User/settings.json',
      'vscodium-user /home/u/.config/VSCodium/User/mcp.json',
      'vscodium-user-settings /home/u/.config/VSCodium/User/settings.json',
      'vscodium-user /home/u/.config/VSCodium - Insiders/User/mcp.json',
      'vscodium-user-settings /home/u/.config/VSCodium - Insiders/User/settings.json',
      'cursor /home/u/.cursor/mcp.json',
      'windsurf /home/u/.codeium/windsurf/mcp_config.json',
      'windsurf-plugin /home/u/.codeium/mcp_config.json',
      'claude-desktop /home/u/.config/Claude/claude_desktop_config.json',
    ]);
  });

  it('linux with XDG directories, VSCODE_APPDATA and a portable VS Code', () => {
    const r = paths(
      defaultConfigPaths('linux', '/home/u', [], { XDG_CONFIG_HOME: '/xdg/config', XDG_DATA_HOME: '/xdg/data', VSCODE_PORTABLE: '/opt/vscode/data', VSCODE_APPDATA: '/va' }),
    );
    assert.deepEqual(r, [
      'vscode-user /opt/vscode/data/user-data/User/mcp.json',
      'vscode-user-settings /opt/vscode/data/user-data/User/settings.json',
      'vscode-user /va/Code/User/mcp.json',
      'vscode-user-settings /va/Code/User/settings.json',
      'vscode-insiders-user /va/Code - Insiders/User/mcp.json',
      'vscode-insiders-user-settings /va/Code - Insiders/User/settings.json',
      'vscodium-user /va/VSCodium/User/mcp.json',
      'vscodium-user-settings /va/VSCodium/User/settings.json',
      'vscodium-user /va/VSCodium - Insiders/User/mcp.json',
      'vscodium-user-settings /va/VSCodium - Insiders/User/settings.json',
      'vscode-user /xdg/config/Code/User/mcp.json',
      'vscode-user-settings /xdg/config/Code/User/settings.json',
      'vscode-user /xdg/data/code-server/User/mcp.json',
      'vscode-user-settings /xdg/data/code-server/User/settings.json',
      'vscode-insiders-user /xdg/config/Code - Insiders/User/mcp.json',
      'vscode-insiders-user-settings /xdg/config/Code - Insiders/User/settings.json',
      'vscodium-user /xdg/config/VSCodium/User/mcp.json',
      'vscodium-user-settings /xdg/config/VSCodium/User/settings.json',
      'vscodium-user /xdg/config/VSCodium - Insiders/User/mcp.json',
      'vscodium-user-settings /xdg/config/VSCodium - Insiders/User/settings.json',
      // Cursor and Windsurf ignore XDG: their folders are under the home folder
      'cursor /home/u/.cursor/mcp.json',
      'windsurf /home/u/.codeium/windsurf/mcp_config.json',
      'windsurf-plugin /home/u/.codeium/mcp_config.json',
      'claude-desktop /xdg/config/Claude/claude_desktop_config.json',
    ]);
  });

  it('macOS', () => {
    assert.deepEqual(paths(defaultConfigPaths('darwin', '/Users/me', ['/Users/me/proj'], {})), [
      'vscode-workspace /Users/me/proj/.vscode/mcp.json',
      'cursor /Users/me/proj/.cursor/mcp.json',
      'other /Users/me/proj/.mcp.json',
      'vscode-user /Users/me/Library/Application Support/Code/User/mcp.json',
      'vscode-user-settings /Users/me/Library/Application Support/Code/User/settings.json',
      'vscode-user /Users/me/.local/share/code-server/User/mcp.json',
      'vscode-user-settings /Users/me/.local/share/code-server/User/settings.json',
      'vscode-insiders-user /Users/me/Library/Application Support/Code - Insiders/User/mcp.json',
      'vscode-insiders-user-settings /Users/me/Library/Application Support/Code - Insiders/User/settings.json',
      'vscodium-user /Users/me/Library/Application Support/VSCodium/User/mcp.json',
      'vscodium-user-settings /Users/me/Library/Application Support/VSCodium/User/settings.json',
      'vscodium-user /Users/me/Library/Application Support/VSCodium - Insiders/User/mcp.json',
      'vscodium-user-settings /Users/me/Library/Application Support/VSCodium - Insiders/User/settings.json',
      'cursor /Users/me/.cursor/mcp.json',
      'windsurf /Users/me/.codeium/windsurf/mcp_config.json',
      'windsurf-plugin /Users/me/.codeium/mcp_config.json',
      'claude-desktop /Users/me/Library/Application Support/Claude/claude_desktop_config.json',
    ]);
    // XDG_CONFIG_HOME is a Linux rule only (VS Code's userDataPath); XDG_DATA_HOME moves code-server everywhere
    const xdg = defaultConfigPaths('darwin', '/Users/me', [], { XDG_CONFIG_HOME: '/xdg/config', XDG_DATA_HOME: '/xdg/data' });
    assert.ok(!xdg.some((x) => x.path.startsWith('/xdg/config')));
    has(xdg, 'vscode-user', '/xdg/data/code-server/User/mcp.json');
  });

  it('Windows, with APPDATA and LOCALAPPDATA', () => {
    assert.deepEqual(paths(defaultConfigPaths('win32', 'C:\\Users\\me', ['C:\\src\\app'], { APPDATA: 'D:\\Roaming', LOCALAPPDATA: 'D:\\Local', XDG_CONFIG_HOME: 'X:\\ignored' })), [
      'vscode-workspace C:\\src\\app\\.vscode\\mcp.json',
      'cursor C:\\src\\app\\.cursor\\mcp.json',
      'other C:\\src\\app\\.mcp.json',
      'vscode-user D:\\Roaming\\Code\\User\\mcp.json',
      'vscode-user-settings D:\\Roaming\\Code\\User\\settings.json',
      'vscode-insiders-user D:\\Roaming\\Code - Insiders\\User\\mcp.json',
      'vscode-insiders-user-settings D:\\Roaming\\Code - Insiders\\User\\settings.json',
      'vscodium-user D:\\Roaming\\VSCodium\\User\\mcp.json',
      'vscodium-user-settings D:\\Roaming\\VSCodium\\User\\settings.json',
      'vscodium-user D:\\Roaming\\VSCodium - Insiders\\User\\mcp.json',
      'vscodium-user-settings D:\\Roaming\\VSCodium - Insiders\\User\\settings.json',
      'cursor C:\\Users\\me\\.cursor\\mcp.json',
      'windsurf C:\\Users\\me\\.codeium\\windsurf\\mcp_config.json',
      'windsurf-plugin C:\\Users\\me\\.codeium\\mcp_config.json',
      'claude-desktop D:\\Roaming\\Claude\\claude_desktop_config.json',
      'claude-desktop D:\\Local\\Packages\\Claude_pzs8sxrjxfjjc\\LocalCache\\Roaming\\Claude\\claude_desktop_config.json',
    ]);
  });

  it('Windows without APPDATA / LOCALAPPDATA falls back to the profile folders', () => {
    const r = defaultConfigPaths('win32', 'C:\\Users\\me', [], {});
    assert.equal(r[0].path, 'C:\\Users\\me\\AppData\\Roaming\\Code\\User\\mcp.json');
    has(r, 'vscode-insiders-user', 'C:\\Users\\me\\AppData\\Roaming\\Code - Insiders\\User\\mcp.json');
    has(r, 'vscodium-user', 'C:\\Users\\me\\AppData\\Roaming\\VSCodium\\User\\mcp.json');
    has(r, 'vscode-user-settings', 'C:\\Users\\me\\AppData\\Roaming\\Code\\User\\settings.json');
    has(r, 'claude-desktop', 'C:\\Users\\me\\AppData\\Roaming\\Claude\\claude_desktop_config.json');
    has(r, 'claude-desktop', 'C:\\Users\\me\\AppData\\Local\\Packages\\Claude_pzs8sxrjxfjjc\\LocalCache\\Roaming\\Claude\\claude_desktop_config.json');
    // no code-server on Windows (it runs on Linux and macOS)
    assert.ok(!r.some((x) => /code-server/.test(x.path)));
    // a blank APPDATA is treated as unset
    assert.equal(defaultConfigPaths('win32', 'C:\\Users\\me', [], { APPDATA: '  ' })[0].path, 'C:\\Users\\me\\AppData\\Roaming\\Code\\User\\mcp.json');
  });

  describe('each new location, per platform', () => {
    const cases: Array<{ platform: NodeJS.Platform; home: string; env: Record<string, string>; appData: string; sep: string }> = [
      { platform: 'linux', home: '/home/u', env: {}, appData: '/home/u/.config', sep: '/' },
      { platform: 'linux', home: '/home/u', env: { XDG_CONFIG_HOME: '/cfg' }, appData: '/cfg', sep: '/' },
      { platform: 'darwin', home: '/Users/me', env: {}, appData: '/Users/me/Library/Application Support', sep: '/' },
      { platform: 'win32', home: 'C:\\Users\\me', env: { APPDATA: 'E:\\AD' }, appData: 'E:\\AD', sep: '\\' },
    ];
    for (const c of cases) {
      const label = `${c.platform}${Object.keys(c.env).length ? ` ${JSON.stringify(c.env)}` : ''}`;
      const j = (...parts: string[]) => parts.join(c.sep);
      const r = defaultConfigPaths(c.platform, c.home, [], c.env);
      it(`${label}: VS Code Insiders user mcp.json and settings.json`, () => {
        has(r, 'vscode-insiders-user', j(c.appData, 'Code - Insiders', 'User', 'mcp.json'));
        has(r, 'vscode-insiders-user-settings', j(c.appData, 'Code - Insiders', 'User', 'settings.json'));
      });
      it(`${label}: VSCodium (and VSCodium Insiders) user mcp.json and settings.json`, () => {
        has(r, 'vscodium-user', j(c.appData, 'VSCodium', 'User', 'mcp.json'));
        has(r, 'vscodium-user-settings', j(c.appData, 'VSCodium', 'User', 'settings.json'));
        has(r, 'vscodium-user', j(c.appData, 'VSCodium - Insiders', 'User', 'mcp.json'));
      });
      it(`${label}: VS Code user settings.json ("mcp" key)`, () => {
        has(r, 'vscode-user-settings', j(c.appData, 'Code', 'User', 'settings.json'));
      });
      it(`${label}: Windsurf and the Windsurf plugins, under the home folder`, () => {
        has(r, 'windsurf', j(c.home, '.codeium', 'windsurf', 'mcp_config.json'));
        has(r, 'windsurf-plugin', j(c.home, '.codeium', 'mcp_config.json'));
      });
      it(`${label}: Cursor and Claude Desktop`, () => {
        has(r, 'cursor', j(c.home, '.cursor', 'mcp.json'));
        has(r, 'claude-desktop', j(c.appData, 'Claude', 'claude_desktop_config.json'));
      });
    }
  });

  it('lists each file once, across several and duplicate workspace folders', () => {
    const r = defaultConfigPaths('linux', '/home/u', ['/a', '/b', '/a', ''], {});
    assert.equal(r.filter((x) => x.source === 'vscode-workspace').length, 2);
    assert.equal(new Set(r.map((x) => x.path)).size, r.length);
    // a workspace that is the home folder: ~/.cursor/mcp.json once, as the workspace's
    const home = defaultConfigPaths('linux', '/home/u', ['/home/u'], {});
    assert.equal(home.filter((x) => x.path === '/home/u/.cursor/mcp.json').length, 1);
    // VSCODE_APPDATA equal to the platform folder: each file once (Windows compares without case)
    const same = defaultConfigPaths('win32', 'C:\\Users\\me', [], { APPDATA: 'D:\\Roaming', VSCODE_APPDATA: 'd:\\roaming' });
    assert.equal(new Set(same.map((x) => x.path.toLowerCase())).size, same.length);
  });
});

describe('config/configLocations discoverConfigPaths (VS Code profiles)', () => {
  /** A fake directory listing: folder → entry names; anything else rejects like a missing folder. */
  const fakeFs = (tree: Record<string, string[]>) => {
    const asked: string[] = [];
    const readDir = async (path: string) => {
      asked.push(path);
      if (!Object.prototype.hasOwnProperty.call(tree, path)) throw Object.assign(new Error('ENOENT'), { code: 'FileNotFound' });
      return tree[path];
    };
    return { readDir, asked };
  };

  it('linux: each profile folder gives its mcp.json and settings.json, right after its editor', async () => {
    const { readDir, asked } = fakeFs({
      '/home/u/.config/Code/User/profiles': ['-6a1b2c', '3f4e5d'],
      '/home/u/.config/Code - Insiders/User/profiles': ['abc'],
      '/home/u/.config/VSCodium/User/profiles': ['z9'],
      '/home/u/.local/share/code-server/User/profiles': ['cs1'],
    });
    const r = await discoverConfigPaths('linux', '/home/u', [], {}, readDir);
    const lines = r.map((x) => `${x.source} ${x.path}`);
    const at = (line: string) => {
      const i = lines.indexOf(line);
      assert.ok(i >= 0, `${line} not in\n${lines.join('\n')}`);
      return i;
    };
    const settings = at('vscode-user-settings /home/u/.config/Code/User/settings.json');
    assert.equal(at('vscode-profile /home/u/.config/Code/User/profiles/-6a1b2c/mcp.json'), settings + 1);
    assert.equal(at('vscode-profile /home/u/.config/Code/User/profiles/-6a1b2c/settings.json'), settings + 2);
    assert.equal(at('vscode-profile /home/u/.config/Code/User/profiles/3f4e5d/mcp.json'), settings + 3);
    at('vscode-profile /home/u/.local/share/code-server/User/profiles/cs1/mcp.json');
    const insiders = at('vscode-insiders-user-settings /home/u/.config/Code - Insiders/User/settings.json');
    assert.equal(at('vscode-insiders-profile /home/u/.config/Code - Insiders/User/profiles/abc/mcp.json'), insiders + 1);
    at('vscode-insiders-profile /home/u/.config/Code - Insiders/User/profiles/abc/settings.json');
    at('vscodium-profile /home/u/.config/VSCodium/User/profiles/z9/mcp.json');
    // everything defaultConfigPaths lists is still there, in the same order
    const base = defaultConfigPaths('linux', '/home/u', [], {}).map((x) => `${x.source} ${x.path}`);
    assert.deepEqual(lines.filter((l) => base.includes(l)), base);
    assert.equal(r.length, base.length + 2 * 5);
    // the profiles folders asked for: Code, code-server, Insiders, VSCodium, VSCodium Insiders
    assert.deepEqual(asked, [
      '/home/u/.config/Code/User/profiles',
      '/home/u/.local/share/code-server/User/profiles',
      '/home/u/.config/Code - Insiders/User/profiles',
      '/home/u/.config/VSCodium/User/profiles',
      '/home/u/.config/VSCodium - Insiders/User/profiles',
    ]);
  });

  it('linux honours XDG_CONFIG_HOME for the profiles folders too', async () => {
    const { readDir } = fakeFs({ '/cfg/Code/User/profiles': ['p1'] });
    const r = await discoverConfigPaths('linux', '/home/u', [], { XDG_CONFIG_HOME: '/cfg' }, readDir);
    assert.ok(r.some((x) => x.source === 'vscode-profile' && x.path === '/cfg/Code/User/profiles/p1/mcp.json'));
  });

  it('macOS', async () => {
    const { readDir } = fakeFs({
      '/Users/me/Library/Application Support/Code/User/profiles': ['p1'],
      '/Users/me/Library/Application Support/Code - Insiders/User/profiles': ['p2'],
      '/Users/me/Library/Application Support/VSCodium/User/profiles': ['p3'],
    });
    const r = await discoverConfigPaths('darwin', '/Users/me', [], {}, readDir);
    for (const [source, path] of [
      ['vscode-profile', '/Users/me/Library/Application Support/Code/User/profiles/p1/mcp.json'],
      ['vscode-profile', '/Users/me/Library/Application Support/Code/User/profiles/p1/settings.json'],
      ['vscode-insiders-profile', '/Users/me/Library/Application Support/Code - Insiders/User/profiles/p2/mcp.json'],
      ['vscodium-profile', '/Users/me/Library/Application Support/VSCodium/User/profiles/p3/mcp.json'],
    ]) {
      assert.ok(r.some((x) => x.source === source && x.path === path), `${source} ${path}`);
    }
  });

  it('Windows, with APPDATA, and a portable VS Code', async () => {
    const { readDir, asked } = fakeFs({
      'D:\\Roaming\\Code\\User\\profiles': ['-1a2b'],
      'D:\\Roaming\\Code - Insiders\\User\\profiles': ['77'],
      'D:\\Roaming\\VSCodium\\User\\profiles': ['88'],
      'P:\\vscode\\data\\user-data\\User\\profiles': ['port'],
    });
    const r = await discoverConfigPaths('win32', 'C:\\Users\\me', [], { APPDATA: 'D:\\Roaming', VSCODE_PORTABLE: 'P:\\vscode\\data' }, readDir);
    for (const [source, path] of [
      ['vscode-profile', 'P:\\vscode\\data\\user-data\\User\\profiles\\port\\mcp.json'],
      ['vscode-profile', 'D:\\Roaming\\Code\\User\\profiles\\-1a2b\\mcp.json'],
      ['vscode-profile', 'D:\\Roaming\\Code\\User\\profiles\\-1a2b\\settings.json'],
      ['vscode-insiders-profile', 'D:\\Roaming\\Code - Insiders\\User\\profiles\\77\\mcp.json'],
      ['vscodium-profile', 'D:\\Roaming\\VSCodium\\User\\profiles\\88\\settings.json'],
    ]) {
      assert.ok(r.some((x) => x.source === source && x.path === path), `${source} ${path}`);
    }
    assert.ok(!asked.some((a) => /code-server/.test(a)));
  });

  it('with no profiles anywhere it is defaultConfigPaths', async () => {
    const { readDir } = fakeFs({});
    for (const platform of ['linux', 'darwin', 'win32'] as const) {
      assert.deepEqual(await discoverConfigPaths(platform, '/h', ['/w'], {}, readDir), defaultConfigPaths(platform, '/h', ['/w'], {}));
    }
  });

  it('never rejects, and keeps only names that are one plain path segment', async () => {
    const weird = ['ok', '.', '..', '', '../../etc', 'a/b', 'a\\b', 'nul\u0000', 'x'.repeat(300), 42, null, { x: 1 }] as unknown as string[];
    const r = await discoverConfigPaths('linux', '/home/u', [], {}, async (p) => (p === '/home/u/.config/Code/User/profiles' ? weird : []));
    const profiles = r.filter((x) => x.source === 'vscode-profile').map((x) => x.path);
    assert.deepEqual(profiles, ['/home/u/.config/Code/User/profiles/ok/mcp.json', '/home/u/.config/Code/User/profiles/ok/settings.json']);
    // readDir throwing synchronously, resolving to a non-list, or rejecting with a non-error
    const base = defaultConfigPaths('linux', '/home/u', [], {});
    const thrower = (() => {
      throw new Error('boom');
    }) as unknown as (p: string) => Promise<string[]>;
    assert.deepEqual(await discoverConfigPaths('linux', '/home/u', [], {}, thrower), base);
    assert.deepEqual(await discoverConfigPaths('linux', '/home/u', [], {}, async () => 'not a list' as unknown as string[]), base);
    assert.deepEqual(await discoverConfigPaths('linux', '/home/u', [], {}, () => Promise.reject('nope')), base);
  });

  it(`reads at most ${MAX_PROFILES} profile folders per editor`, async () => {
    const many = Array.from({ length: 5000 }, (_, i) => `p${i}`);
    const r = await discoverConfigPaths('linux', '/home/u', [], {}, async (p) => (p === '/home/u/.config/Code/User/profiles' ? many : []));
    assert.equal(r.filter((x) => x.source === 'vscode-profile').length, 2 * MAX_PROFILES);
  });

  it('the same profile folder listed twice (VSCODE_APPDATA = APPDATA) gives each file once', async () => {
    const { readDir } = fakeFs({ 'D:\\Roaming\\Code\\User\\profiles': ['p'], 'd:\\roaming\\Code\\User\\profiles': ['p'] });
    const r = await discoverConfigPaths('win32', 'C:\\Users\\me', [], { APPDATA: 'D:\\Roaming', VSCODE_APPDATA: 'd:\\roaming' }, readDir);
    assert.equal(new Set(r.map((x) => x.path.toLowerCase())).size, r.length);
    assert.equal(r.filter((x) => x.source === 'vscode-profile').length, 2);
  });

  it('parses what it finds: a profile mcp.json and a profile settings.json', () => {
    const a = parseMcpConfig('{ "servers": { "p": { "type": "http", "url": "https://p.example/mcp" } } }', 'vscode-profile', '/home/u/.config/Code/User/profiles/x/mcp.json');
    assert.equal(a.servers[0].source, 'vscode-profile');
    const b = parseMcpConfig('{ "mcp": { "servers": { "q": { "url": "https://q.example/mcp", } } }, }', 'vscode-profile', '/home/u/.config/Code/User/profiles/x/settings.json');
    assert.equal(b.error, undefined);
    assert.equal(b.servers[0].url, 'https://q.example/mcp');
  });
});

describe('config/configLocations source labels', () => {
  it('keeps the existing ids and words every source', () => {
    for (const id of ['vscode-workspace', 'vscode-user', 'cursor', 'claude-desktop', 'other'] as ImportSource[]) assert.ok(IMPORT_SOURCE_LABELS[id]);
    const seen = new Set<string>();
    for (const [id, label] of Object.entries(IMPORT_SOURCE_LABELS)) {
      assert.ok(label.length > 0, id);
      assert.ok(!seen.has(label), `duplicate label ${label}`);
      seen.add(label);
      assert.equal(importSourceLabel(id as ImportSource), label);
    }
    assert.equal(importSourceLabel('made-up' as ImportSource), 'made-up');
    assert.equal(importSourceLabel('__proto__' as ImportSource), '__proto__');
  });

  it('every source defaultConfigPaths or discoverConfigPaths returns has a label', async () => {
    const sources = new Set<string>();
    for (const platform of ['linux', 'darwin', 'win32'] as const) {
      for (const x of await discoverConfigPaths(platform, '/h', ['/w'], { VSCODE_PORTABLE: '/p' }, async () => ['p'])) sources.add(x.source);
    }
    for (const s of sources) assert.ok(Object.prototype.hasOwnProperty.call(IMPORT_SOURCE_LABELS, s), s);
    assert.deepEqual([...sources].sort(), Object.keys(IMPORT_SOURCE_LABELS).sort());
  });
});
