/**
 * The lazy seam between the adapter and the engine: `engine()` loads src/engine.ts the first time
 * it is called and returns the same module after that. In the extension bundle esbuild.mjs turns
 * this `require` into one of dist/engine.js (a second bundle with the MCP SDK, oauth4webapi and
 * jose), so `activate()` never loads them; from the sources (tests) it is the TypeScript module.
 *
 * Only types may be imported from the engine modules elsewhere in src/vscode; values go through
 * here (bench/sizes.ts reports what each bundle holds).
 */
import type * as Engine from '../engine';

export type EngineModule = typeof Engine;

let loaded: EngineModule | undefined;

export function engine(): EngineModule {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the lazy load is the point
  loaded ??= require('../engine') as EngineModule;
  return loaded;
}

/** Whether the engine has been loaded in this extension host (for the bench and tests). */
export function engineLoaded(): boolean {
  return loaded !== undefined;
}
