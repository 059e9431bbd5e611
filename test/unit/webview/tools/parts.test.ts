/**
 * The tools panel's parts (webview-ui/tools/): the models run in plain Node, and stay DOM-free —
 * state.ts, list.ts, detail.ts, history.ts and text.ts neither name the DOM nor import the views,
 * so what the panel shows can be tested without a browser (the views are tested in Chromium:
 * test/unit/webview/toolsList.test.ts).
 */
import * as assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const dir = fileURLToPath(new URL('../../../../webview-ui/tools/', import.meta.url));
const MODELS = ['state.ts', 'list.ts', 'detail.ts', 'history.ts', 'text.ts'];

describe('webview/tools: models apart from the DOM', () => {
  it('every part of the panel is either a model or a view (nothing unaccounted for)', () => {
    const views = ['index.ts', 'listView.ts', 'detailView.ts', 'historyView.ts', 'signInView.ts', 'render.ts'];
    assert.deepEqual(readdirSync(dir).filter((f) => f.endsWith('.ts')).sort(), [...MODELS, ...views].sort());
  });

  for (const f of MODELS) {
    it(`${f} names no DOM global and imports no view`, () => {
      const src = readFileSync(dir + f, 'utf8').replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, '');
      assert.doesNotMatch(src, /\b(document|window|HTML\w*Element|Node|Event|KeyboardEvent)\b/);
      // nor any module that builds nodes (dom.ts, result.ts, the views): the root type check has no DOM types
      for (const m of src.matchAll(/from '([^']+)'/g)) assert.doesNotMatch(m[1], /View$|\/render$|\/dom$|\/result$|\/common$|^\.\.\/form\/view$/, `${f} imports ${m[1]}`);
    });
  }

  it('the models load and run with no DOM in this process', async () => {
    assert.equal(typeof (globalThis as { document?: unknown }).document, 'undefined');
    const { received, initialState } = await import('../../../../webview-ui/tools/state');
    assert.equal(received(initialState, { server: { id: 's', name: 'n', url: 'u', state: 'connected', signedIn: false, scopes: [] }, tools: [], history: [] }).state.selected, undefined);
  });
});
