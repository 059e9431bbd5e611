import assert from 'node:assert/strict';
import { InspectorError } from '../../../src/core/errors';
import { createGuardedFetch } from '../../../src/core/http/guardedFetch';
import { Redactor } from '../../../src/core/http/redact';
import { Trace } from '../../../src/core/http/trace';
import { checkUrl, displayHost, isLoopbackHost, urlLabel } from '../../../src/core/http/urlPolicy';
import { startServer, type LocalServer } from './localServer';

/** assert.throws with an InspectorError of `code`; returns the error for further checks. */
function throwsCode(fn: () => unknown, code: string): InspectorError {
  let caught: unknown;
  assert.throws(fn, (e: unknown) => {
    caught = e;
    return e instanceof InspectorError && e.code === code;
  });
  return caught as InspectorError;
}

describe('http/urlPolicy checkUrl', () => {
  let server: LocalServer;
  before(async () => {
    server = await startServer((_req, res) => res.end('ok'));
  });
  after(() => server.close());

  /** Every refused spelling, each pointing at the local server where that is possible. */
  const refused = () => {
    const target = `//127.0.0.1:${server.port}/x`;
    return [
      'javascript:alert(1)',
      'JaVaScRiPt:alert(1)',
      ' javascript:alert(1)',
      'javascript:alert(1) ',
      '\tjavascript:alert(1)',
      'java\tscript:alert(1)',
      'java\nscript:alert(1)',
      'javascript\n:alert(1)',
      'java\rscript:alert(1)',
      '\x00javascript:alert(1)',
      '\x01\x1fjavascript:alert(1)',
      'data:text/html,<script>alert(1)</script>',
      'DATA:text/html;base64,PHNjcmlwdD4=',
      'file://127.0.0.1/x',
      'file:///etc/passwd',
      'vbscript:msgbox(1)',
      'command:workbench.action.terminal.new',
      'vscode://ms-vscode.remote/open',
      'VSCode:extension/evil',
      `ftp:${target}`,
      `ws:${target}`,
      `wss:${target}`,
      'mailto:a@example.com',
      'blob:https://example.com/uuid',
      'about:blank',
      'chrome://settings',
      'ms-settings:privacy',
    ];
  };

  it('refuses every non-http(s) scheme in every spelling, and a guarded fetch sends nothing', async () => {
    let calls = 0;
    const trace = new Trace();
    const gf = createGuardedFetch({
      policy: { trustedOrigin: new URL(server.origin) },
      trace,
      redactor: new Redactor(),
      fetchImpl: (...args) => {
        calls++;
        return fetch(...args);
      },
    });
    for (const u of refused()) {
      const err = throwsCode(() => checkUrl(u, 'authorization URL'), 'url_scheme_refused');
      assert.match(err.message, /^authorization URL uses the scheme "[a-z-]+:", which is refused/);
      await assert.rejects(gf(u, { purpose: 'as-metadata' }), (e: unknown) => e instanceof InspectorError && e.code === 'url_scheme_refused', u);
    }
    assert.equal(calls, 0);
    assert.equal(server.requests.length, 0);
    // each refusal is in the trace, with scheme (and host) only
    const entries = trace.all();
    assert.equal(entries.length, refused().length);
    for (const e of entries) {
      assert.equal(e.kind, 'http');
      if (e.kind === 'http') {
        assert.equal(e.error?.code, 'url_scheme_refused');
        assert.equal(e.response, undefined);
        assert.doesNotMatch(e.request.url, /alert|passwd|\/x/);
      }
    }
  });

  it('refuses plain http to a non-loopback host, names only scheme and host, and echoes no query', () => {
    const err = throwsCode(() => checkUrl('http://evil.example:8080/cb?code=SECRET-CODE-123&x=1#frag', 'token endpoint'), 'url_scheme_refused');
    assert.match(err.message, /http:\/\/evil\.example:8080/);
    assert.doesNotMatch(err.message, /SECRET|\/cb|frag/);
    const err2 = throwsCode(() => checkUrl('ftp://files.example/path?token=SECRET-TOKEN-456', 'jwks_uri'), 'url_scheme_refused');
    assert.doesNotMatch(err2.message, /SECRET|path/);
    const err3 = throwsCode(() => checkUrl('javascript:fetch("/?access_token=SECRET-AT-789")', 'authorization URL'), 'url_scheme_refused');
    assert.doesNotMatch(err3.message, /SECRET|fetch\(/);
  });

  it('refuses http to hosts that only look like loopback', () => {
    for (const u of ['http://127.evil.example/', 'http://localhost.evil.example/', 'http://evil.example/localhost', 'http://127.0.0.1.nip.io/', 'http://[::2]/']) {
      throwsCode(() => checkUrl(u, 'metadata URL'), 'url_scheme_refused');
    }
  });

  it('accepts https, and http on loopback in every spelling', () => {
    assert.equal(checkUrl('https://as.example/token', 'x').href, 'https://as.example/token');
    assert.equal(checkUrl(new URL('HTTPS://AS.Example/'), 'x').host, 'as.example');
    for (const u of [
      'http://localhost:3000/mcp',
      'http://LOCALHOST/',
      'http://localhost./',
      'http://mcp.localhost:8080/',
      'http://127.0.0.1/',
      'http://127.1.2.3/',
      'http://127.1/',
      'http://2130706433/',
      'http://0x7f000001/',
      'http://0177.0.0.1/',
      'http://[::1]:9000/',
      'http://[::ffff:127.0.0.1]/',
    ]) {
      assert.equal(checkUrl(u, 'x').protocol, 'http:', u);
    }
  });

  it('accepts http to a host in allowHttpHosts (case-insensitive) and nowhere else', () => {
    assert.equal(checkUrl('http://dev.internal:8080/', 'x', ['Dev.Internal']).hostname, 'dev.internal');
    throwsCode(() => checkUrl('http://other.internal/', 'x', ['dev.internal']), 'url_scheme_refused');
  });

  it('accepts surrounding spaces on https (the parser trims them) but refuses hidden control characters', () => {
    assert.equal(checkUrl('  https://as.example/  ', 'x').href, 'https://as.example/');
    for (const u of ['https://as.exa\tmple/', 'https://as.example/\npath', 'https://as.example/\x00', '\x00https://as.example/', 'https://as.example/\x7f']) {
      const err = throwsCode(() => checkUrl(u, 'metadata URL'), 'url_invalid');
      assert.match(err.message, /control characters/);
    }
  });

  it('refuses what is not a URL without echoing it', () => {
    for (const u of ['', 'not a url', '/relative/path?code=SECRET-REL', '//as.example/x', 'https://', 'http://[::1/']) {
      const err = throwsCode(() => checkUrl(u, 'registration_endpoint'), 'url_invalid');
      assert.doesNotMatch(err.message, /SECRET/);
    }
  });

  it('displayHost shows the real host, never the userinfo', () => {
    assert.equal(displayHost(checkUrl('https://good.example@evil.example/authorize?x=1', 'x')), 'evil.example');
    assert.equal(displayHost(checkUrl('https://good.example:pw@evil.example:8443/', 'x')), 'evil.example:8443');
    assert.equal(displayHost(checkUrl('https://accounts.google.com:443@evil.example/', 'x')), 'evil.example');
    // IDN homographs show as punycode
    assert.equal(displayHost(checkUrl('https://аpple.com/', 'x')), 'xn--pple-43d.com');
    assert.equal(urlLabel(new URL('https://u:p@as.example:8443/a?b=c')), 'https://as.example:8443');
    assert.equal(urlLabel(new URL('javascript:alert(1)')), 'javascript:');
  });

  it('isLoopbackHost', () => {
    for (const h of ['localhost', 'a.b.localhost', '127.0.0.1', '127.255.255.254', '[::1]', '::1', '::ffff:127.0.0.1']) assert.equal(isLoopbackHost(h), true, h);
    for (const h of ['127.evil.example', 'localhost.evil.example', '10.0.0.1', '::2', 'example.com', '0.0.0.0']) assert.equal(isLoopbackHost(h), false, h);
  });
});
