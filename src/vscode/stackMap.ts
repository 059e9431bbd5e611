/**
 * Stack frames of the extension bundle mapped back to the TypeScript sources, for the log's trace
 * level. No `vscode` here (unit-tested in plain Node).
 *
 * Why not `process.setSourceMapsEnabled(true)`: the extension host installs its own
 * `Error.prepareStackTrace`, which bypasses Node's source-map support, and the switch would be
 * process-wide (every extension in the host would pay for it). So the bundle's own map
 * (`dist/extension.js.map`, shipped in the VSIX) is read here, once, when the first stack is logged.
 */
import { readFileSync } from 'node:fs';
import { SourceMap } from 'node:module';
import { dirname, relative, resolve } from 'node:path';

/** `file.js:line:column`, as V8 prints a frame (absolute paths; `file://` URLs too). */
const FRAME = /((?:file:\/\/)?[^\s()]+\.[cm]?js):(\d+):(\d+)/g;

/**
 * A function that rewrites frames of `bundle` (an absolute path to a .js file with a `.map` next
 * to it) to `source.ts:line:column`, relative to the bundle's parent folder (the extension root).
 * Frames of other files stay as they are; without a readable map every frame does.
 */
export function stackMapper(bundle: string, readMap: (path: string) => string = (p) => readFileSync(p, 'utf8')): (stack: string) => string {
  let map: SourceMap | null | undefined;
  const root = dirname(dirname(bundle));
  const load = (): SourceMap | null => {
    if (map === undefined) {
      try {
        map = new SourceMap(JSON.parse(readMap(`${bundle}.map`)));
      } catch {
        map = null;
      }
    }
    return map;
  };
  return (stack) =>
    stack.replace(FRAME, (whole, file: string, line: string, col: string) => {
      const path = file.startsWith('file://') ? new URL(file).pathname : file;
      if (resolve(path) !== resolve(bundle)) return whole;
      const m = load();
      if (!m) return whole;
      const e = m.findEntry(Number(line) - 1, Number(col) - 1) as { originalSource?: string; originalLine?: number; originalColumn?: number };
      if (!e || e.originalSource === undefined || e.originalLine === undefined) return whole;
      const src = resolve(dirname(bundle), e.originalSource.replace(/^file:\/\//, ''));
      return `${relative(root, src)}:${e.originalLine + 1}:${(e.originalColumn ?? 0) + 1}`;
    });
}
