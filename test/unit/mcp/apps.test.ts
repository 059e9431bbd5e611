/**
 * MCP Apps host policies (src/core/mcp/apps.ts) against hostile metadata: which tool has a view
 * (ui:// only), what a view resource must be (MIME, size), which CSP sources and permissions are
 * granted and which are refused and listed, and which tool calls and links a view may make.
 */
import { strict as assert } from 'node:assert';
import {
  APP_MIME_TYPE,
  appViewFromRead,
  cspSource,
  MAX_VIEW_HTML_CHARS,
  toolViewOf,
  toolVisibility,
  VIEW_SANDBOX,
  viewAllowAttribute,
  viewPanelCsp,
  viewCspHeader,
  viewLinkDecision,
  viewMeta,
  viewResourceReadDecision,
  viewToolCallDecision,
} from '../../../src/core/mcp/apps';
import { CLIENT_EXTENSIONS } from '../../../src/core/mcp/session';
import { isInspectorError } from '../../../src/core/errors';

describe('MCP Apps: which tool has a view', () => {
  it('declares the extension with the MIME type it renders', () => {
    assert.deepEqual(CLIENT_EXTENSIONS['io.modelcontextprotocol/ui'], { mimeTypes: ['text/html;profile=mcp-app'] });
  });

  it('reads _meta.ui.resourceUri, the deprecated flat key and the Apps SDK template, in that order', () => {
    assert.deepEqual(toolViewOf({ _meta: { ui: { resourceUri: 'ui://todos/view' }, 'openai/outputTemplate': 'ui://other' } }), { view: { uri: 'ui://todos/view', via: 'mcp-apps' } });
    assert.deepEqual(toolViewOf({ _meta: { 'ui/resourceUri': 'ui://a' } }), { view: { uri: 'ui://a', via: 'mcp-apps-legacy' } });
    assert.deepEqual(toolViewOf({ _meta: { 'openai/outputTemplate': 'ui://widget/x.html' } }), { view: { uri: 'ui://widget/x.html', via: 'openai' } });
    assert.deepEqual(toolViewOf({}), {});
    assert.deepEqual(toolViewOf({ _meta: null }), {});
  });

  it('refuses a view URI that is not ui:// in any spelling, and says why', () => {
    for (const uri of ['https://evil.example/app.html', 'javascript:alert(1)', 'file:///etc/passwd', ' ui://x', 'ui://x\ny', 'ui://', 'data:text/html,<script>1</script>']) {
      const r = toolViewOf({ _meta: { ui: { resourceUri: uri } } });
      assert.equal(r.view, undefined, uri);
      assert.equal(r.refused?.code, 'not_ui_scheme', uri);
    }
    assert.equal(toolViewOf({ _meta: { ui: { resourceUri: 42 } } }).refused?.code, 'not_a_string');
    assert.equal(toolViewOf({ _meta: { ui: { resourceUri: `ui://${'a'.repeat(5000)}` } } }).refused?.code, 'too_long');
  });

  it('reads visibility: absent is both, ["model"] is model only', () => {
    assert.deepEqual(toolVisibility({}), { model: true, app: true });
    assert.deepEqual(toolVisibility({ _meta: { ui: { visibility: ['model'] } } }), { model: true, app: false });
    assert.deepEqual(toolVisibility({ _meta: { ui: { visibility: ['app'] } } }), { model: false, app: true });
    assert.deepEqual(toolVisibility({ _meta: { ui: { visibility: 'model' } } }), { model: true, app: true });
  });
});

describe('MCP Apps: the view resource', () => {
  const view = { uri: 'ui://todos/view', via: 'mcp-apps' as const };
  const failure = (fn: () => unknown): string => {
    try {
      fn();
    } catch (err) {
      assert.ok(isInspectorError(err));
      assert.equal(err.step, 'resources/read ui://todos/view');
      return err.message;
    }
    throw new Error('expected a refusal');
  };

  it('takes the HTML and the checked metadata of the content with the view URI', () => {
    const v = appViewFromRead(view, {
      contents: [{ uri: 'ui://todos/view', mimeType: APP_MIME_TYPE, text: '<p>hi</p>', _meta: { ui: { csp: { connectDomains: ['https://api.example.com'] }, permissions: { clipboardWrite: {} }, prefersBorder: true } } }],
    });
    assert.equal(v.html, '<p>hi</p>');
    assert.deepEqual(v.csp.connectDomains, ['https://api.example.com']);
    assert.deepEqual(v.permissions, ['clipboardWrite']);
    assert.equal(v.prefersBorder, true);
    assert.deepEqual(v.refused, []);
  });

  it('decodes a blob', () => {
    const v = appViewFromRead(view, { contents: [{ uri: view.uri, mimeType: 'text/html; profile=mcp-app', blob: Buffer.from('<b>x</b>').toString('base64') }] });
    assert.equal(v.html, '<b>x</b>');
  });

  it('refuses the wrong MIME type, a missing content, and HTML over the cap', () => {
    assert.match(failure(() => appViewFromRead(view, { contents: [{ uri: view.uri, mimeType: 'text/html', text: '<p>' }] })), /MIME type is "text\/html"/);
    assert.match(failure(() => appViewFromRead(view, { contents: [{ uri: view.uri, mimeType: 'image/svg+xml', text: '<svg/>' }] })), /MIME/);
    assert.match(failure(() => appViewFromRead(view, { contents: [] })), /no content/);
    assert.match(failure(() => appViewFromRead(view, { contents: [{ uri: view.uri, mimeType: APP_MIME_TYPE, text: 'x'.repeat(MAX_VIEW_HTML_CHARS + 1) }] })), /more than/);
    assert.match(failure(() => appViewFromRead(view, { contents: [{ uri: view.uri, mimeType: APP_MIME_TYPE, blob: 'A'.repeat(MAX_VIEW_HTML_CHARS * 2) }] })), /larger than/);
  });

  it('accepts the Apps SDK MIME type only for an openai/outputTemplate view', () => {
    const skybridge = { contents: [{ uri: view.uri, mimeType: 'text/html+skybridge', text: '<p>' }] };
    assert.equal(appViewFromRead({ ...view, via: 'openai' }, skybridge).html, '<p>');
    assert.throws(() => appViewFromRead(view, skybridge));
  });
});

describe('MCP Apps: CSP sources and permissions a view declares', () => {
  it('accepts origins only', () => {
    assert.deepEqual(cspSource('https://api.example.com'), { ok: true, source: 'https://api.example.com' });
    assert.deepEqual(cspSource('https://*.Example.com:8443/'), { ok: true, source: 'https://*.example.com:8443' });
    assert.deepEqual(cspSource('http://127.0.0.1:3000'), { ok: true, source: 'http://127.0.0.1:3000' });
    for (const bad of ["'unsafe-eval'", '*', 'https:', 'data:', 'https://a.example; script-src *', 'https://a.example https://b.example', 'http://evil.example', 'https://a.example/path', 'javascript:alert(1)', "https://a.example'", 'https://*', 42]) {
      assert.equal(cspSource(bad).ok, false, String(bad));
    }
  });

  it('keeps the good sources and lists every refused one with its field', () => {
    const m = viewMeta({
      ui: {
        csp: { connectDomains: ['https://api.example.com', "'unsafe-inline'"], resourceDomains: 'https://cdn.example.com', frameDomains: ['https://*'] },
        permissions: { camera: {}, usb: {}, clipboardWrite: {} },
        domain: 'https://app.evil.example',
      },
    });
    assert.deepEqual(m.csp, { connectDomains: ['https://api.example.com'], resourceDomains: [], frameDomains: [], baseUriDomains: [] });
    assert.deepEqual(m.permissions, ['camera', 'clipboardWrite']);
    assert.deepEqual(
      m.refused.map((r) => `${r.what} ${r.field}`),
      ['csp connectDomains', 'csp resourceDomains', 'csp frameDomains', 'permission permissions.usb', 'domain domain'],
    );
  });

  it('caps a list of origins', () => {
    const m = viewMeta({ ui: { csp: { connectDomains: Array.from({ length: 100 }, (_, i) => `https://h${i}.example.com`) } } });
    assert.equal(m.csp.connectDomains.length, 32);
    assert.equal(m.refused.length, 1);
  });

  it('reads the Apps SDK openai/widgetCSP spelling', () => {
    assert.deepEqual(viewMeta({ 'openai/widgetCSP': { connect_domains: ['https://api.example.com'], resource_domains: ['https://cdn.example.com'] } }).csp.resourceDomains, ['https://cdn.example.com']);
  });
});

describe('MCP Apps: the host policies', () => {
  it('builds a CSP of nothing but what was declared', () => {
    const none = viewCspHeader({ connectDomains: [], resourceDomains: [], frameDomains: [], baseUriDomains: [] });
    assert.match(none, /default-src 'none'/);
    assert.match(none, /connect-src 'none'/);
    assert.match(none, /frame-src 'none'/);
    assert.match(none, /base-uri 'none'/);
    assert.match(none, /form-action 'none'/);
    assert.doesNotMatch(none, /https?:/);
    assert.doesNotMatch(none, /'self'|unsafe-eval/);
    const some = viewCspHeader({ connectDomains: ['https://api.example.com'], resourceDomains: ['https://cdn.example.com'], frameDomains: [], baseUriDomains: [] });
    assert.match(some, /connect-src https:\/\/api\.example\.com(;|$)/);
    assert.match(some, /script-src 'unsafe-inline' https:\/\/cdn\.example\.com;/);
    assert.match(some, /img-src data: blob: https:\/\/cdn\.example\.com;/);
  });

  it("builds the panel page's CSP as the view's plus the webview's own source, no nonce, no eval", () => {
    const p = viewPanelCsp('https://webview.invalid', { connectDomains: ['https://api.example.com'], resourceDomains: [], frameDomains: [], baseUriDomains: [] });
    assert.match(p, /script-src https:\/\/webview\.invalid 'unsafe-inline';/);
    assert.match(p, /connect-src https:\/\/api\.example\.com;/);
    assert.match(p, /frame-src 'none'/);
    assert.doesNotMatch(p, /nonce|unsafe-eval/);
    assert.match(viewPanelCsp('https://webview.invalid'), /connect-src 'none'/);
  });

  it('sandboxes with scripts only, and grants only the declared permissions', () => {
    assert.equal(VIEW_SANDBOX, 'allow-scripts');
    assert.equal(viewAllowAttribute([]), '');
    assert.equal(viewAllowAttribute(['clipboardWrite', 'camera']), "clipboard-write 'src'; camera 'src'");
  });

  it('lets a view call only listed tools that are not model-only', () => {
    const listed = [{ name: 'list_todos' }, { name: 'add_todo', _meta: { ui: { visibility: ['model', 'app'] } } }, { name: 'delete_all', _meta: { ui: { visibility: ['model'] } } }];
    assert.deepEqual(viewToolCallDecision('list_todos', listed), { ok: true });
    assert.deepEqual(viewToolCallDecision('add_todo', listed), { ok: true });
    assert.equal((viewToolCallDecision('delete_all', listed) as { code: string }).code, 'tool_model_only');
    assert.equal((viewToolCallDecision('exfiltrate', listed) as { code: string }).code, 'tool_not_listed');
    assert.equal((viewToolCallDecision({ toString: () => 'list_todos' }, listed) as { code: string }).code, 'tool_not_listed');
  });

  it('opens only http(s) links without credentials', () => {
    assert.equal(viewLinkDecision('https://example.com/docs').ok, true);
    for (const bad of ['javascript:alert(1)', 'JaVaScRiPt:alert(1)', ' javascript:alert(1)', 'java\tscript:alert(1)', 'data:text/html,x', 'file:///etc/passwd', 'command:workbench.action.quit', 'vscode://x', 'https://user:pw@example.com/', '/relative', 42]) {
      assert.equal(viewLinkDecision(bad).ok, false, String(bad));
    }
  });

  it('lets a view read only ui:// resources', () => {
    assert.equal(viewResourceReadDecision('ui://todos/view').ok, true);
    assert.equal(viewResourceReadDecision('file:///etc/passwd').ok, false);
    assert.equal(viewResourceReadDecision('https://evil.example').ok, false);
  });
});
