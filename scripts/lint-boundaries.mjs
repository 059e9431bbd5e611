// The layer boundaries of docs/ARCHITECTURE.md, checked on every build. Fails (exit 1) on:
//
//  1. 'vscode' imported outside src/vscode and src/extension.ts: the engine, the shared protocol,
//     the view models, the CLI and the webview must run without it.
//  2. An import that runs back up the layers. The order, lowest first:
//
//        shared  ←  core  ←  present  ←  vscode | cli          webview-ui  →  shared only
//
//     - src/shared imports only src/shared: both sides of the webview boundary compile it.
//     - src/core (and src/engine.ts, its bundle entry) never imports present, vscode or cli.
//     - src/present imports core's types, and core's values only from modules that reach none of
//       the engine's libraries (rule 5: errors, text, …). Why: present holds pure functions from the
//       engine's data to what the tree, the panels and the CLI show, built in tests from plain
//       objects; the extension loads it at activation. Never vscode or cli.
//     - src/vscode (with src/extension.ts) and src/cli are two front ends over the same layers:
//       neither imports the other.
//     - webview-ui imports only src/shared (it runs in the webview, with the DOM).
//  3. src/present using the DOM (`document`, `window`, `HTMLElement`, …): its models are rendered by
//     the webview and by the CLI alike, so they are plain data.
//  4. An import cycle among the modules of src/ and webview-ui/ (type-only imports included: a
//     circle of types is a construction circle waiting to happen).
//  5. A value import in src/vscode, src/extension.ts or src/present of a module that reaches the
//     engine's libraries (the MCP SDK, oauth4webapi, jose) through value imports: those load on the
//     first connect, from dist/engine.js through src/vscode/engine.ts, never at activation
//     (docs/ARCHITECTURE.md, "Libraries"; test/package/vsix.test.ts checks the built bundle).
//
// Parsed with the TypeScript compiler (a devDependency), so comments and strings never count.
import { readdirSync, readFileSync, statSync, existsSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import ts from 'typescript';

// The repository, or the folder given (the lint's own test runs it on a small tree of its own).
const root = process.argv[2] ? resolve(process.argv[2]) : resolve(dirname(new URL(import.meta.url).pathname), '..');
const rel = (p) => relative(root, p).split(sep).join('/');

/** The layer of a source file, by where it lives. */
function layerOf(file) {
  const r = rel(file);
  if (r.startsWith('src/shared/')) return 'shared';
  if (r.startsWith('src/core/') || r === 'src/engine.ts') return 'core';
  if (r.startsWith('src/present/')) return 'present';
  if (r.startsWith('src/vscode/') || r === 'src/extension.ts') return 'vscode';
  if (r.startsWith('src/cli/')) return 'cli';
  if (r.startsWith('webview-ui/')) return 'webview';
  return undefined;
}

/** Layers each layer may import (its own always). */
const MAY_IMPORT = {
  shared: [],
  core: ['shared'],
  present: ['shared', 'core'],
  vscode: ['shared', 'core', 'present'],
  cli: ['shared', 'core', 'present'],
  webview: ['shared'],
};
/** The engine's libraries: in dist/engine.js only, loaded on first use. */
const ENGINE_LIBRARY = /^(@modelcontextprotocol\/|oauth4webapi$|jose$)/;
/** Layers the extension loads at activation (bundled into dist/extension.js). */
const ACTIVATION = new Set(['vscode', 'present']);
/** The one place the adapter loads the engine (esbuild.mjs makes this require dist/engine.js). */
const LAZY_SEAM = 'src/vscode/engine.ts';

/** Globals of lib "dom" that src/present may not use. */
const DOM_GLOBALS = new Set([
  'document', 'window', 'navigator', 'location', 'history', 'localStorage', 'sessionStorage', 'self',
  'HTMLElement', 'Element', 'HTMLDocument', 'DocumentFragment', 'DOMParser', 'MutationObserver',
  'requestAnimationFrame', 'cancelAnimationFrame', 'getComputedStyle', 'customElements', 'acquireVsCodeApi',
]);
const isDomGlobal = (name) => DOM_GLOBALS.has(name) || /^HTML\w*Element$/.test(name);

function walk(dir, out = []) {
  let names;
  try {
    names = readdirSync(dir);
  } catch {
    return out;
  }
  for (const n of names) {
    const p = join(dir, n);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (/\.(ts|tsx|mts|cts|js|mjs|cjs)$/.test(n) && !/\.d\.[mc]?ts$/.test(n)) out.push(p);
  }
  return out;
}

const files = [...walk(join(root, 'src')), ...walk(join(root, 'webview-ui'))];

/** A relative import resolved to a file the way the bundler resolves it (moduleResolution "bundler"). */
function resolveImport(from, spec) {
  if (!spec.startsWith('.')) return undefined;
  const base = resolve(dirname(from), spec);
  const stripped = base.replace(/\.(js|mjs|cjs)$/, '');
  for (const c of [base, `${stripped}.ts`, `${stripped}.tsx`, `${stripped}.mts`, `${base}.js`, `${base}.mjs`, join(base, 'index.ts'), join(base, 'index.tsx')]) {
    if (existsSync(c) && statSync(c).isFile()) return c;
  }
  return undefined;
}

/** Every import of a file: specifier, whether only types come in, the line. */
function importsOf(file, sf) {
  const out = [];
  const add = (spec, typeOnly, node) => out.push({ spec, typeOnly, line: sf.getLineAndCharacterOfPosition(node.getStart(sf)).line + 1 });
  const visit = (node) => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
      const c = node.importClause;
      const named = c?.namedBindings && ts.isNamedImports(c.namedBindings) ? c.namedBindings.elements : undefined;
      // `import type …`, or `import { type A, type B }` with nothing else: erased at compile time
      const typeOnly = !!c && (c.isTypeOnly || (!c.name && !!named && named.length > 0 && named.every((e) => e.isTypeOnly)));
      add(node.moduleSpecifier.text, typeOnly, node);
    } else if (ts.isExportDeclaration(node) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      const named = node.exportClause && ts.isNamedExports(node.exportClause) ? node.exportClause.elements : undefined;
      add(node.moduleSpecifier.text, node.isTypeOnly || (!!named && named.length > 0 && named.every((e) => e.isTypeOnly)), node);
    } else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference) && ts.isStringLiteral(node.moduleReference.expression)) {
      add(node.moduleReference.expression.text, node.isTypeOnly, node);
    } else if (ts.isCallExpression(node) && node.arguments.length >= 1 && ts.isStringLiteralLike(node.arguments[0])) {
      const callee = node.expression;
      if (callee.kind === ts.SyntaxKind.ImportKeyword || (ts.isIdentifier(callee) && callee.text === 'require')) add(node.arguments[0].text, false, node);
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument) && ts.isStringLiteral(node.argument.literal)) {
      add(node.argument.literal.text, true, node); // `import('x').T` in a type position
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return out;
}

/** Identifiers of src/present that name a DOM global (not a property name, not a declaration of ours). */
function domUses(sf) {
  const declared = new Set();
  const uses = [];
  const visit = (node) => {
    if ((ts.isVariableDeclaration(node) || ts.isFunctionDeclaration(node) || ts.isParameter(node) || ts.isClassDeclaration(node) || ts.isInterfaceDeclaration(node) || ts.isTypeAliasDeclaration(node)) && node.name && ts.isIdentifier(node.name)) {
      declared.add(node.name.text);
    }
    if (ts.isIdentifier(node) && isDomGlobal(node.text)) {
      const p = node.parent;
      const isPropertyName =
        (ts.isPropertyAccessExpression(p) && p.name === node) ||
        (ts.isQualifiedName(p) && p.right === node) ||
        ((ts.isPropertyAssignment(p) || ts.isPropertySignature(p) || ts.isPropertyDeclaration(p) || ts.isMethodDeclaration(p) || ts.isMethodSignature(p) || ts.isEnumMember(p)) && p.name === node) ||
        (ts.isBindingElement(p) && p.propertyName === node) ||
        ((ts.isImportSpecifier(p) || ts.isExportSpecifier(p)) && p.propertyName === node);
      if (!isPropertyName) uses.push({ name: node.text, line: sf.getLineAndCharacterOfPosition(node.getStart(sf)).line + 1 });
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return uses.filter((u) => !declared.has(u.name));
}

const problems = { vscode: [], layers: [], dom: [], cycles: [], engine: [] };
/** file → files it imports (relative imports that resolve), for the cycle check. */
const graph = new Map();
/** file → its value imports: resolved files, and packages by name (for rule 5). */
const valueEdges = new Map();
/** file → its imports, resolved (for the layer checks once every file is read). */
const parsed = new Map();

for (const file of files) {
  const text = readFileSync(file, 'utf8');
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, file.endsWith('x') ? ts.ScriptKind.TSX : undefined);
  const imports = importsOf(file, sf).map((imp) => ({ ...imp, target: resolveImport(file, imp.spec) }));
  parsed.set(file, imports);
  graph.set(file, new Set(imports.flatMap((i) => (i.target ? [i.target] : []))));
  valueEdges.set(file, imports.filter((i) => !i.typeOnly && !(rel(file) === LAZY_SEAM && i.spec === '../engine')));
  if (layerOf(file) === 'present') for (const u of domUses(sf)) problems.dom.push(`${rel(file)}:${u.line} uses the DOM global ${u.name}`);
}

/** The engine library a module reaches through value imports, with the way there; undefined when none. */
const reachMemo = new Map();
function reachesEngine(file, seen = new Set()) {
  if (reachMemo.has(file)) return reachMemo.get(file);
  if (seen.has(file)) return undefined;
  seen.add(file);
  let found;
  for (const imp of valueEdges.get(file) ?? []) {
    if (!imp.target && ENGINE_LIBRARY.test(imp.spec)) found = [imp.spec];
    else if (imp.target && valueEdges.has(imp.target)) {
      const via = reachesEngine(imp.target, seen);
      if (via) found = [rel(imp.target), ...via];
    }
    if (found) break;
  }
  reachMemo.set(file, found);
  return found;
}

for (const [file, imports] of parsed) {
  const from = layerOf(file);
  for (const imp of imports) {
    const where = `${rel(file)}:${imp.line}`;
    if (imp.spec === 'vscode') {
      if (from !== 'vscode') problems.vscode.push(`${where} imports 'vscode'`);
      continue;
    }
    if (ACTIVATION.has(from) && !imp.typeOnly && rel(file) !== LAZY_SEAM) {
      const via = imp.target ? reachesEngine(imp.target) : ENGINE_LIBRARY.test(imp.spec) ? [] : undefined;
      if (via) problems.engine.push(`${where} imports values from ${imp.target ? rel(imp.target) : imp.spec}${via.length ? `, which reaches ${via.join(' → ')}` : ''}`);
    }
    const to = imp.target && layerOf(imp.target);
    if (!from || !to || from === to) continue;
    if (!MAY_IMPORT[from].includes(to)) problems.layers.push(`${where} (${from}) imports ${rel(imp.target)} (${to})`);
  }
}

// Import cycles: strongly connected components of the import graph (Tarjan), any with two or more
// files, or a file importing itself.
{
  let index = 0;
  const idx = new Map();
  const low = new Map();
  const stack = [];
  const onStack = new Set();
  const strong = (v) => {
    idx.set(v, index);
    low.set(v, index);
    index++;
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!graph.has(w)) continue;
      if (!idx.has(w)) {
        strong(w);
        low.set(v, Math.min(low.get(v), low.get(w)));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v), idx.get(w)));
    }
    if (low.get(v) === idx.get(v)) {
      const comp = [];
      let w;
      do {
        w = stack.pop();
        onStack.delete(w);
        comp.push(w);
      } while (w !== v);
      if (comp.length > 1 || graph.get(v)?.has(v)) problems.cycles.push(cycleText(comp));
    }
  };
  for (const v of graph.keys()) if (!idx.has(v)) strong(v);
}

/** One cycle through the component, as a → b → … → a. */
function cycleText(comp) {
  const inComp = new Set(comp);
  const start = comp.map(rel).sort()[0];
  const first = comp.find((f) => rel(f) === start);
  // shortest way back to the start (breadth-first within the component)
  const prev = new Map([[first, undefined]]);
  const queue = [first];
  let end;
  while (queue.length && !end) {
    const v = queue.shift();
    for (const w of graph.get(v) ?? []) {
      if (!inComp.has(w)) continue;
      if (w === first) {
        end = v;
        break;
      }
      if (!prev.has(w)) {
        prev.set(w, v);
        queue.push(w);
      }
    }
  }
  const path = [];
  for (let v = end; v !== undefined; v = prev.get(v)) path.unshift(rel(v));
  const more = comp.length > path.length ? ` (${comp.length} files in the cycle: ${comp.map(rel).sort().join(', ')})` : '';
  return `${[...path, start].join(' → ')}${more}`;
}

const sections = [
  ['vscode', "these files import 'vscode' but live outside src/vscode and src/extension.ts (the engine, the view models and the CLI must run in plain Node)"],
  ['layers', 'these imports run back up the layers (shared ← core ← present ← vscode | cli; webview-ui → shared only)'],
  ['dom', 'src/present uses the DOM (its models are plain data the webview and the CLI both render)'],
  ['cycles', 'import cycles (each shown as one circle through it)'],
  ['engine', "these imports load the engine's libraries at activation (import their types; reach values through src/vscode/engine.ts)"],
];
let failed = false;
for (const [key, title] of sections) {
  if (!problems[key].length) continue;
  failed = true;
  console.error(`lint: ${title}:\n  ${problems[key].join('\n  ')}`);
}
if (failed) process.exit(1);
console.log(`lint: ${files.length} files of src/ and webview-ui/: 'vscode' only in src/vscode, layers in order, no DOM in src/present, no import cycles, no engine library at activation`);
