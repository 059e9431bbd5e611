/**
 * No code path decides by message text (docs/ARCHITECTURE.md, house style 2): errors carry a `code`
 * and their step, URL and hint as fields (src/core/errors.ts), token findings a `code`
 * (src/shared/codes.ts), and callers switch on those. This scans every source file of src/ and
 * webview-ui/ for the shapes such a decision takes — `.message.includes(`, `.startsWith(`,
 * `.endsWith(`, `.match(`, `.search(`, `.indexOf(` on a message, and a regex `.test(`/`.exec(` over
 * one — and fails on any not in ALLOWED below, where each entry must say which third party gives
 * text and no code.
 */
import { strict as assert } from 'node:assert';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const ROOT = join(__dirname, '../../..');

/** A variable or property that holds an error's (or a server's) message text. */
const MESSAGE = String.raw`(?:message|msg|detail|errorMessage)`;
const PATTERNS: RegExp[] = [
  // err.message.includes(…), message?.startsWith(…), detail.match(…)
  new RegExp(String.raw`\b${MESSAGE}\??\.(?:includes|startsWith|endsWith|match|matchAll|search|indexOf)\(`),
  // /…/.test(err.message), re.exec(msg), /…/.test(String(err))
  new RegExp(String.raw`\.(?:test|exec)\([^)]*\b${MESSAGE}\b`),
  new RegExp(String.raw`\.(?:test|exec)\(\s*String\(\s*(?:err|e|error)\s*\)`),
  // String(err).includes(…)
  new RegExp(String.raw`String\(\s*(?:err|e|error)\s*\)\.(?:includes|startsWith|endsWith|match)\(`),
];

/**
 * `path:line-text` fragments that may decide on text, each with the reason. Only text from a third
 * party that gives no code belongs here (an SDK error without a code, say).
 */
const ALLOWED: Array<{ file: string; contains: string; reason: string }> = [];

function sources(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (name === 'node_modules') continue;
    if (statSync(p).isDirectory()) out.push(...sources(p));
    else if (/\.(ts|mts|tsx)$/.test(name)) out.push(p);
  }
  return out;
}

function findings(files: string[]): string[] {
  const out: string[] = [];
  for (const file of files) {
    const rel = relative(ROOT, file);
    readFileSync(file, 'utf8')
      .split('\n')
      .forEach((line, i) => {
        const code = line.trim();
        if (code.startsWith('*') || code.startsWith('//') || code.startsWith('/*')) return;
        if (!PATTERNS.some((re) => re.test(line))) return;
        if (ALLOWED.some((a) => a.file === rel && line.includes(a.contains))) return;
        out.push(`${rel}:${i + 1}: ${code.slice(0, 160)}`);
      });
  }
  return out;
}

describe('shared/noMessageDecisions: no code path decides by message text', () => {
  it('src/ and webview-ui/ switch on codes and fields, never on message text', () => {
    const files = [...sources(join(ROOT, 'src')), ...sources(join(ROOT, 'webview-ui'))];
    assert.ok(files.length > 50, `only ${files.length} source files found`);
    assert.deepEqual(findings(files), [], 'decide on err.code / finding.code and the step, url and hint fields (src/shared/codes.ts)');
  });

  it('the scan finds each shape it looks for (so a passing scan means something)', () => {
    const shapes = [
      "if (err.message.includes('invalid_grant')) retry();",
      'if (e.message?.startsWith(step)) cut();',
      'const m = detail.match(/\\((.*)\\)/);',
      'if (/timeout/i.test(err.message)) wait();',
      'if (/denied/.test(String(err))) stop();',
      "if (String(error).includes('401')) signIn();",
      "e.hint && !e.message.includes(e.hint) ? hint : null",
    ];
    for (const s of shapes) assert.ok(PATTERNS.some((re) => re.test(s)), s);
    for (const ok of ['if (err.code === "invalid_grant") retry();', "if (isAuthProblem(e.code)) offer();", 'const line = errorText(e);']) {
      assert.ok(!PATTERNS.some((re) => re.test(ok)), ok);
    }
    for (const a of ALLOWED) assert.ok(a.reason.length > 20, `${a.file}: an allowed decision needs its reason`);
  });
});
