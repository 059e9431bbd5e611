// The redirectPort setting is contributed (so the editor shows and validates it) and read by settings.ts.
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';

const ROOT = new URL('../../../', import.meta.url).pathname;

describe('setting mcpOAuthInspector.redirectPort', () => {
  it('is contributed as an integer port, 0 (a free port) by default', () => {
    const pkg = JSON.parse(readFileSync(`${ROOT}package.json`, 'utf8')) as { contributes: { configuration: { properties: Record<string, Record<string, unknown>> } } };
    const p = pkg.contributes.configuration.properties['mcpOAuthInspector.redirectPort'];
    assert.ok(p, 'contributed');
    assert.deepEqual([p.type, p.default, p.minimum, p.maximum], ['integer', 0, 0, 65535]);
    assert.match(String(p.markdownDescription), /pre-registered client/);
  });

  it('is read where the connection is built and passed to the engine', () => {
    assert.match(readFileSync(`${ROOT}src/vscode/settings.ts`, 'utf8'), /c\.get<unknown>\('redirectPort'/);
    assert.match(readFileSync(`${ROOT}src/vscode/connections.ts`, 'utf8'), /redirectPort: s\.redirectPort/);
  });
});
