/**
 * scripts/lint-boundaries.mjs on small trees of its own (the layers of docs/ARCHITECTURE.md): each
 * rule fails on a file that breaks it and stays quiet on what is allowed, comments and strings
 * included. The repository itself is linted by `npm run lint` (scripts/test.mjs, the lint stage).
 */
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';

const SCRIPT = resolve(__dirname, '../../../scripts/lint-boundaries.mjs');

function lint(files: Record<string, string>): { code: number | null; out: string } {
  const root = mkdtempSync(join(tmpdir(), 'lint-boundaries-'));
  try {
    for (const [path, text] of Object.entries(files)) {
      mkdirSync(dirname(join(root, path)), { recursive: true });
      writeFileSync(join(root, path), text);
    }
    const r = spawnSync(process.execPath, [SCRIPT, root], { encoding: 'utf8' });
    return { code: r.status, out: `${r.stdout}${r.stderr}` };
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

/** A tree that keeps every rule: each layer imports only below it, present takes core types. */
const GOOD: Record<string, string> = {
  'src/shared/protocol.ts': 'export interface View { name: string }\n',
  'src/core/engine.ts': "import type { View } from '../shared/protocol';\nexport const make = (): View => ({ name: 'x' });\nexport type Facts = { n: number };\n",
  'src/core/text/scrub.ts': 'export const scrub = (s: string) => s;\n',
  'src/present/model.ts':
    "import type { Facts } from '../core/engine';\nimport { scrub } from '../core/text/scrub';\n// the window and document of a comment do not count\nexport const label = (f: Facts, o: { window: number }) => scrub(`document ${f.n} ${o.window}`);\n",
  'src/vscode/panel.ts': "import * as vscode from 'vscode';\nimport { label } from '../present/model';\nimport { make } from '../core/engine';\nexport const show = () => vscode && label({ n: make().name.length }, { window: 1 });\n",
  'src/cli/main.ts': "import { label } from '../present/model';\nexport const run = () => label({ n: 1 }, { window: 0 });\n",
  'src/extension.ts': "import * as vscode from 'vscode';\nimport { show } from './vscode/panel';\nexport const activate = () => vscode && show();\n",
  'webview-ui/main.ts': "import type { View } from '../src/shared/protocol';\nexport const v: View = { name: String(document.title) };\n",
};

describe('scripts/lint-boundaries: the layers, the DOM in present, import cycles', function () {
  // each case starts node and the TypeScript parser (a second or two on a busy machine)
  this.timeout(30_000);

  it('a tree that keeps the rules passes (type imports, plain core values in present, comments and property names allowed)', () => {
    const r = lint(GOOD);
    assert.equal(r.code, 0, r.out);
    assert.match(r.out, /no import cycles/);
  });

  it("'vscode' outside src/vscode and src/extension.ts fails, naming the file and line", () => {
    const r = lint({ ...GOOD, 'src/present/model.ts': "import type * as vscode from 'vscode';\nexport type U = vscode.Uri;\n" });
    assert.equal(r.code, 1);
    assert.match(r.out, /src\/present\/model\.ts:1 imports 'vscode'/);
  });

  it('imports up the layers fail: core → present, cli ↔ vscode, webview-ui → anything but shared', () => {
    const r = lint({
      ...GOOD,
      'src/core/bad.ts': "import { label } from '../present/model';\nexport const x = label;\n",
      'src/cli/bad.ts': "import { show } from '../vscode/panel';\nexport const y = show;\n",
      'webview-ui/bad.ts': "import type { Facts } from '../src/core/engine';\nexport type F = Facts;\n",
      'src/shared/bad.ts': "import type { Facts } from '../core/engine';\nexport type G = Facts;\n",
    });
    assert.equal(r.code, 1);
    assert.match(r.out, /src\/core\/bad\.ts:1 \(core\) imports src\/present\/model\.ts \(present\)/);
    assert.match(r.out, /src\/cli\/bad\.ts:1 \(cli\) imports src\/vscode\/panel\.ts \(vscode\)/);
    assert.match(r.out, /webview-ui\/bad\.ts:1 \(webview\) imports src\/core\/engine\.ts \(core\)/);
    assert.match(r.out, /src\/shared\/bad\.ts:1 \(shared\) imports src\/core\/engine\.ts \(core\)/);
  });

  it("engine libraries at activation fail: a value import in present or vscode that reaches jose, oauth4webapi or the MCP SDK", () => {
    const engineSide = {
      'src/core/oauth/verify.ts': "import { jwtVerify } from 'jose';\nexport const verify = jwtVerify;\n",
      'src/core/inspect.ts': "import { verify } from './oauth/verify';\nexport const inspect = () => verify;\nexport type Inspection = { ok: boolean };\n",
      'src/engine.ts': "export { inspect } from './core/inspect';\n",
      // the lazy seam: the engine bundle is required on first use, not at activation
      'src/vscode/engine.ts': "import type * as Engine from '../engine';\nexport const engine = () => require('../engine') as typeof Engine;\n",
      'src/cli/token.ts': "import { inspect } from '../core/inspect';\nexport const run = inspect;\n",
    };
    const bad = lint({
      ...GOOD,
      ...engineSide,
      'src/present/v.ts': "import { inspect } from '../core/inspect';\nexport const m = inspect;\n",
      'src/vscode/w.ts': "import { SignJWT } from 'jose';\nexport const s = SignJWT;\n",
    });
    assert.equal(bad.code, 1);
    assert.match(bad.out, /src\/present\/v\.ts:1 imports values from src\/core\/inspect\.ts, which reaches src\/core\/oauth\/verify\.ts → jose/);
    assert.match(bad.out, /src\/vscode\/w\.ts:1 imports values from jose/);
    assert.doesNotMatch(bad.out, /src\/cli\/token\.ts:\d|src\/vscode\/engine\.ts:\d/, `the CLI bundles the engine; the seam loads it lazily:\n${bad.out}`);
    const ok = lint({ ...GOOD, ...engineSide, 'src/present/v.ts': "import type { Inspection } from '../core/inspect';\nexport type M = Inspection;\n" });
    assert.equal(ok.code, 0, ok.out);
  });

  it('present using a DOM global fails; a local of the same name does not', () => {
    const r = lint({ ...GOOD, 'src/present/dom.ts': 'export const t = () => document.title;\nexport const e = (x: unknown) => x instanceof HTMLElement;\n' });
    assert.equal(r.code, 1);
    assert.match(r.out, /src\/present\/dom\.ts:1 uses the DOM global document/);
    assert.match(r.out, /src\/present\/dom\.ts:2 uses the DOM global HTMLElement/);
    assert.equal(lint({ ...GOOD, 'src/present/dom.ts': 'export function f(window: number) { return window; }\n' }).code, 0);
  });

  it('an import cycle fails, type-only imports included, and is shown as one circle', () => {
    const r = lint({
      ...GOOD,
      'src/vscode/a.ts': "import type { B } from './b';\nexport type A = B[];\n",
      'src/vscode/b.ts': "import type { C } from './c';\nexport type B = C;\n",
      'src/vscode/c.ts': "import type { A } from './a';\nexport type C = A | 1;\n",
    });
    assert.equal(r.code, 1);
    assert.match(r.out, /src\/vscode\/a\.ts → src\/vscode\/b\.ts → src\/vscode\/c\.ts → src\/vscode\/a\.ts/);
  });
});
