/**
 * Failures in the log (the log used to be full of minified stack traces): one line per failure
 * with code, step and URL (src/present/failureLine.ts); the stack only at trace level, mapped to the
 * TypeScript sources through the bundle's source map (src/vscode/stackMap.ts); each error once.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { InspectorError } from '../../../src/core/errors';
import { Redactor } from '../../../src/core/http/redact';
import { FailureLog, failureLine } from '../../../src/present/failureLine';
import { stackMapper } from '../../../src/vscode/stackMap';

function sink(trace: boolean) {
  const lines: Array<['error' | 'trace', string]> = [];
  return { lines, error: (l: string) => void lines.push(['error', l]), trace: (t: string) => void lines.push(['trace', t]), traceEnabled: () => trace };
}

describe('present/failureLine: one log line per failure', () => {
  const err = new InspectorError('network_error', 'could not reach the server: connect ECONNREFUSED 127.0.0.1:5080', {
    step: 'MCP initialize',
    url: 'http://127.0.0.1:5080/mcp',
    hint: 'Check the URL and that the server is running',
  });

  it('names what failed, the code, the step and the URL once, then the message and hint, on one line', () => {
    assert.equal(
      failureLine(err, { what: 'connect to todo' }),
      'connect to todo failed · code network_error · step MCP initialize · http://127.0.0.1:5080/mcp — could not reach the server: connect ECONNREFUSED 127.0.0.1:5080. Check the URL and that the server is running',
    );
  });

  it('an error without code, step or URL: "internal", and the context\'s URL', () => {
    assert.equal(failureLine(new TypeError('x is not a function'), { what: 'connect to a', url: 'http://a/mcp' }), 'connect to a failed · code internal (TypeError) · http://a/mcp — x is not a function');
    assert.equal(failureLine('plain text'), 'failed · code internal — plain text');
  });

  it('server text cannot add lines; secrets are redacted', () => {
    const r = new Redactor();
    r.addSecret('SECRET-TOKEN-123456');
    const line = failureLine(new InspectorError('mcp_request_failed', 'tools/list failed: bad\n[error] forged line SECRET-TOKEN-123456', { step: 'tools/list' }), {}, (s) => r.text(s));
    assert.ok(!line.includes('\n'));
    assert.ok(!line.includes('SECRET-TOKEN-123456'));
    assert.match(line, /^failed · code mcp_request_failed · step tools\/list — tools\/list failed: bad ⏎ \[error\] forged line \[REDACTED\]$/);
  });

  it('FailureLog: no stack below trace level; at trace level the stack and its causes; the same error object once', () => {
    const info = sink(false);
    const log = new FailureLog(info);
    log.log(err, { what: 'connect to todo' });
    log.log(err, { what: 'command connect' });
    assert.equal(info.lines.length, 1, 'one line, logged once');
    assert.equal(info.lines[0][0], 'error');
    assert.ok(!info.lines[0][1].includes('    at '), 'no stack frames in the line');

    const trace = sink(true);
    const withCause = new InspectorError('mcp_connect_failed', 'x', { cause: new Error('inner SECRET-TOKEN-123456') });
    const r = new Redactor();
    r.addSecret('SECRET-TOKEN-123456');
    new FailureLog(trace, (s) => r.text(s)).log(withCause);
    assert.deepEqual(trace.lines.map(([k]) => k), ['error', 'trace']);
    assert.match(trace.lines[1][1], /^InspectorError: x\n {4}at /);
    assert.match(trace.lines[1][1], /Caused by: Error: inner \[REDACTED\]/);
  });
});

describe('vscode/stackMap: bundle frames back to the sources', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'stackmap-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('a minified bundle\'s frames map to src/…ts:line:column; other frames stay; no map → unchanged', async () => {
    // a bundle built like dist/extension.js (minified cjs, external map without sources)
    const bundle = join(dir, 'dist', 'extension.js');
    await build({
      stdin: { contents: "import { boom } from './thrower';\nexport function run() {\n  return boom();\n}\n", resolveDir: join(dir, 'src'), sourcefile: 'src/main.ts', loader: 'ts' },
      bundle: true,
      platform: 'node',
      format: 'cjs',
      minify: true,
      sourcemap: true,
      sourcesContent: false,
      outfile: bundle,
      logLevel: 'silent',
      plugins: [
        {
          name: 'virtual',
          setup(b) {
            b.onResolve({ filter: /\.\/thrower$/ }, () => ({ path: join(dir, 'src', 'thrower.ts'), namespace: 'file' }));
            b.onLoad({ filter: /thrower\.ts$/ }, () => ({ contents: "export function boom(): never {\n  // line 2\n  throw new Error('boom');\n}\n", loader: 'ts' }));
          },
        },
      ],
    });
    // Node's own source-map support (tsx turns it on) is off in the extension host: off here too,
    // so the stack is what the host prints.
    const wasEnabled = process.sourceMapsEnabled;
    process.setSourceMapsEnabled(false);
    let stack = '';
    try {
      const mod = createRequire(import.meta.url)(bundle) as { run(): void };
      mod.run();
    } catch (e) {
      stack = (e as Error).stack ?? '';
    } finally {
      process.setSourceMapsEnabled(wasEnabled);
    }
    assert.match(stack, /dist\/extension\.js:1:\d+/, 'the raw stack points into the one-line bundle');
    const mapped = stackMapper(bundle)(`${stack}\n    at other (/elsewhere/x.js:3:4)`);
    assert.match(mapped, /src\/thrower\.ts:3:\d+/, mapped);
    assert.match(mapped, /src\/main\.ts:3:\d+/, mapped);
    assert.ok(!/dist\/extension\.js:/.test(mapped), 'every bundle frame mapped');
    assert.ok(mapped.includes('/elsewhere/x.js:3:4'), 'other files untouched');
    assert.equal(stackMapper(join(dir, 'nomap.js'))(`at f (${join(dir, 'nomap.js')}:1:2)`), `at f (${join(dir, 'nomap.js')}:1:2)`);
    assert.ok(readFileSync(`${bundle}.map`, 'utf8').includes('"mappings"'));
  });
});
