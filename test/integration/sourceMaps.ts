/**
 * Maps stack frames of the bundled in-host suites (out/integration/*.js, inline source maps) back
 * to the TypeScript sources. Done by the runner in plain Node because the extension host installs
 * its own Error.prepareStackTrace, which bypasses Node's --enable-source-maps.
 */
import { existsSync, readFileSync } from 'node:fs';
import { SourceMap } from 'node:module';
import { dirname, relative, resolve } from 'node:path';
import type { RunResults } from './results';

const cache = new Map<string, SourceMap | null>();

function mapFor(file: string): SourceMap | null {
  if (cache.has(file)) return cache.get(file)!;
  let map: SourceMap | null = null;
  try {
    if (existsSync(file)) {
      const m = /\/\/# sourceMappingURL=data:application\/json;base64,([A-Za-z0-9+/=]+)\s*$/.exec(readFileSync(file, 'utf8'));
      if (m) map = new SourceMap(JSON.parse(Buffer.from(m[1], 'base64').toString('utf8')));
    }
  } catch {
    map = null;
  }
  cache.set(file, map);
  return map;
}

/** Rewrites `/abs/out/integration/x.js:L:C` frames to `test/integration/x.ts:L:C` (relative to cwd). */
export function mapStack(stack: string): string {
  return stack.replace(/(\/[^\s():]+\.js):(\d+):(\d+)/g, (whole, file: string, line: string, col: string) => {
    const map = mapFor(file);
    if (!map) return whole;
    const e = map.findEntry(Number(line) - 1, Number(col) - 1) as { originalSource?: string; originalLine?: number; originalColumn?: number };
    if (!e || e.originalSource === undefined || e.originalLine === undefined) return whole;
    const src = resolve(dirname(file), e.originalSource.replace(/^file:\/\//, ''));
    return `${relative(process.cwd(), src)}:${e.originalLine + 1}:${(e.originalColumn ?? 0) + 1}`;
  });
}

export function mapResultStacks(r: RunResults): RunResults {
  return {
    ...r,
    ...(r.fatal ? { fatal: mapStack(r.fatal).split('\n').slice(0, 6).join('\n') } : {}),
    tests: r.tests.map((t) => (t.error?.stack ? { ...t, error: { ...t.error, stack: mapStack(t.error.stack) } } : t)),
  };
}
