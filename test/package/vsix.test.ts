// The VSIX is what a user installs: package it the way `npm run demo` does (scripts/editor.mjs
// packageVsix, vsce with the project's .vscodeignore) and check, from the zip itself, that every
// file the extension loads at run time is inside — the panels' stylesheets and script, the fonts
// those stylesheets name, the icons and walkthrough files the manifest names, the client metadata
// document — and that nothing from the source tree rides along.
import { strict as assert } from 'node:assert';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, posix } from 'node:path';
import yauzl from 'yauzl';
import { packageVsix, repoRoot } from '../../scripts/editor.mjs';
import { RUNTIME_ASSETS } from '../../src/vscode/webviews/assets';

/** Every entry of a zip: name → contents (the VSIX is small: a few MB at most). */
function readZip(file: string): Promise<Map<string, Buffer>> {
  return new Promise((resolve, reject) => {
    const out = new Map<string, Buffer>();
    yauzl.open(file, { lazyEntries: true }, (err, zip) => {
      if (err || !zip) return reject(err ?? new Error('no zip'));
      zip.on('error', reject);
      zip.on('end', () => resolve(out));
      zip.on('entry', (entry: yauzl.Entry) => {
        if (entry.fileName.endsWith('/')) return zip.readEntry();
        zip.openReadStream(entry, (e, stream) => {
          if (e || !stream) return reject(e ?? new Error(`cannot read ${entry.fileName}`));
          const chunks: Buffer[] = [];
          stream.on('data', (c: Buffer) => chunks.push(c));
          stream.on('end', () => {
            out.set(entry.fileName, Buffer.concat(chunks));
            zip.readEntry();
          });
          stream.on('error', reject);
        });
      });
      zip.readEntry();
    });
  });
}

/** Relative file paths the manifest names (icons, walkthrough media, main), found by key anywhere under it. */
export function manifestFiles(manifest: Record<string, unknown>): string[] {
  const files = new Set<string>();
  const add = (v: unknown) => {
    if (typeof v !== 'string' || v.startsWith('$(') || /^[a-z][a-z0-9+.-]*:/i.test(v)) return;
    if (!/\.[a-z0-9]+$/i.test(v)) return;
    files.add(posix.normalize(v.replace(/^\.\//, '')));
  };
  const walk = (node: unknown, key?: string) => {
    if (Array.isArray(node)) return node.forEach((n) => walk(n, key));
    if (node && typeof node === 'object') {
      for (const [k, v] of Object.entries(node)) {
        if (['icon', 'light', 'dark'].includes(k) && v && typeof v === 'object') walk(v, k);
        else if (['icon', 'light', 'dark', 'markdown', 'image', 'svg', 'path'].includes(k)) add(v);
        else walk(v, k);
      }
    }
  };
  add(manifest.main);
  add(manifest.icon);
  walk(manifest.contributes);
  return [...files];
}

/** `url(...)` references of a stylesheet, resolved against its own path (data: URIs skipped). */
export function cssUrls(cssPath: string, css: string): string[] {
  const out: string[] = [];
  for (const m of css.matchAll(/url\(\s*(['"]?)([^'")]+)\1\s*\)/g)) {
    const ref = m[2].split(/[?#]/)[0];
    if (!ref || /^[a-z][a-z0-9+.-]*:/i.test(ref)) continue;
    out.push(posix.normalize(posix.join(posix.dirname(cssPath), ref)));
  }
  return out;
}

/** Relative links and images of a Markdown file (walkthrough pages), resolved against its path. */
export function markdownRefs(mdPath: string, md: string): string[] {
  const out: string[] = [];
  for (const m of md.matchAll(/!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)) {
    const ref = m[1].split(/[?#]/)[0];
    if (!ref || /^[a-z][a-z0-9+.-]*:/i.test(ref) || ref.startsWith('#')) continue;
    out.push(posix.normalize(posix.join(posix.dirname(mdPath), ref)));
  }
  return out;
}

describe('the packaged VSIX (vsce package, as npm run demo ships it)', function () {
  let dir: string;
  let entries: Map<string, Buffer>;
  let files: string[];
  let manifest: Record<string, unknown>;

  before(async function () {
    this.timeout(180_000);
    dir = mkdtempSync(join(tmpdir(), 'mcp-inspector-vsix-'));
    const vsix = packageVsix({ out: join(dir, 'mcp-oauth-inspector.vsix') });
    entries = await readZip(vsix);
    files = [...entries.keys()].filter((n) => n.startsWith('extension/')).map((n) => n.slice('extension/'.length));
    manifest = JSON.parse(entries.get('extension/package.json')!.toString('utf8'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const missing = (wanted: string[]) => wanted.filter((f) => !files.includes(f));

  it('holds every file the panels and the extension load at run time (stylesheets, script, icon, the client metadata document, the engine bundle, the source maps)', () => {
    assert.ok(RUNTIME_ASSETS.includes('media/webview.css'), 'the panels link media/webview.css');
    assert.ok(RUNTIME_ASSETS.includes('dist/engine.js'), 'the engine bundle is a runtime file');
    assert.deepEqual(missing([...RUNTIME_ASSETS]), [], `left out of the VSIX (see .vscodeignore); it holds:\n${files.join('\n')}`);
  });

  it('the extension bundle loads the engine bundle beside it lazily, and does not inline it', () => {
    const ext = entries.get('extension/dist/extension.js')!.toString('utf8');
    assert.match(ext, /require\(["']\.\/engine\.js["']\)/, 'dist/extension.js requires ./engine.js (src/vscode/engine.ts)');
    const engine = entries.get('extension/dist/engine.js')?.toString('utf8') ?? '';
    assert.match(engine, /createConnection/, 'dist/engine.js exports the engine (src/engine.ts)');
    // Strings only the libraries hold: oauth4webapi's user agent, a jose error code, the SDK's handshake notification.
    for (const marker of ['oauth4webapi', 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED', 'notifications/initialized']) {
      assert.ok(engine.includes(marker), `dist/engine.js holds ${marker}`);
      assert.ok(!ext.includes(marker), `dist/extension.js does not (${marker}): the engine's libraries load on first use only`);
    }
  });

  it('holds every file the manifest names (main, icons, walkthrough pages)', () => {
    const named = manifestFiles(manifest);
    for (const f of ['dist/extension.js', 'media/icon.png', 'media/activity.svg', 'media/walkthrough/connect.md']) assert.ok(named.includes(f), `the manifest walk finds ${f}`);
    assert.deepEqual(missing(named), [], 'named by package.json but left out of the VSIX');
  });

  it('holds every font and image the shipped stylesheets and walkthrough pages refer to', () => {
    const refs: string[] = [];
    for (const f of files) {
      if (f.endsWith('.css')) refs.push(...cssUrls(f, entries.get(`extension/${f}`)!.toString('utf8')));
      if (f.endsWith('.md') && f.startsWith('media/')) refs.push(...markdownRefs(f, entries.get(`extension/${f}`)!.toString('utf8')));
    }
    assert.ok(refs.some((r) => r.startsWith('dist/codicons/codicon.ttf')), `codicon.css names its font (refs: ${refs.join(', ')})`);
    assert.deepEqual(missing(refs), [], 'referred to by a shipped stylesheet or page but left out');
  });

  it('ships nothing from the source tree: no sources, tests, node_modules, screenshots or local state', () => {
    const stray = files.filter((f) => /^(src|test|webview-ui|node_modules|out|test-results|bench|demo|scripts|\.ci|\.git)\//.test(f) || /^media\/screenshots\//.test(f) || /\.(ts|env)$/.test(f) || /(^|\/)\./.test(f));
    assert.deepEqual(stray, []);
    // the top level is the bundles, media, the manifest and the documents vsce adds
    const top = new Set(files.map((f) => f.split('/')[0]));
    for (const t of top) assert.ok(['dist', 'media', 'package.json', 'readme.md', 'license.txt', 'license', 'changelog.md'].includes(t.toLowerCase()), `unexpected top-level entry ${t}`);
  });

  it('the stylesheet inside is the one in the repository (not an empty or stale copy)', () => {
    const shipped = entries.get('extension/media/webview.css');
    assert.ok(shipped, 'media/webview.css is in the VSIX');
    assert.ok(shipped.equals(readFileSync(join(repoRoot, 'media', 'webview.css'))), 'the shipped media/webview.css differs from the repository\'s');
  });
});
