// House rule (docs/ARCHITECTURE.md): only src/vscode and src/extension.ts may import 'vscode'.
// The engine, the shared protocol, the CLI and the webview must run without it. Fails the build otherwise.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

const guarded = ['src/core', 'src/shared', 'src/cli', 'webview-ui'];
const importsVscode = /(?:from\s+['"]vscode['"]|require\(\s*['"]vscode['"]\s*\)|import\(\s*['"]vscode['"]\s*\)|import\s+['"]vscode['"])/;
const bad = [];
function walk(dir) {
  let names;
  try {
    names = readdirSync(dir);
  } catch {
    return;
  }
  for (const n of names) {
    const p = join(dir, n);
    if (statSync(p).isDirectory()) walk(p);
    else if (/\.(ts|tsx|js|mjs|cjs)$/.test(n) && !n.endsWith('.d.ts') && importsVscode.test(readFileSync(p, 'utf8'))) bad.push(p);
  }
}
guarded.forEach(walk);
if (bad.length) {
  console.error(`lint: these files import 'vscode' but live outside src/vscode (the engine must run in plain Node):\n  ${bad.join('\n  ')}`);
  process.exit(1);
}
console.log(`lint: no 'vscode' imports in ${guarded.join(', ')}`);
